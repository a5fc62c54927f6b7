// Package threads builds the EPG shape shared by every runtime artifact
// that describes threads: goroutine dumps, JVM thread dumps, race reports,
// execution traces and goroutine profiles. Decoders of those formats use
// it so that analyses see one convention:
//
//   - A thread node (KindThread) per goroutine or OS/JVM thread, ID
//     epg.ThreadNodeID(scope, id) with scope from evidence.Input.Scope.
//     Attributes: thread.id, thread.state ("running", "runnable",
//     "waiting", "blocked", "syscall", "dead", ...), thread.wait_reason
//     as the runtime prints it ("sync.Mutex.Lock", "chan receive",
//     "semacquire", "WAITING (on object monitor)"), thread.wait_ns,
//     thread.created_by. Loc is the innermost in-app frame.
//   - Its stack as frame nodes (KindFrame), innermost first with
//     frame.index 0, caller→callee call edges, and an on edge from each
//     frame to the thread. A creation stack ("created by") is more frames
//     marked frame.created_by=true, linked the same way.
//   - Lock nodes (KindLock) with ID epg.LockNodeID(scope, address or
//     name), Name the best human name ("(*Store).mu", "java.lang.Object
//     <0x...>"), lock.kind, lock.address, lock.class; thread→lock holds
//     and waits edges. An edge the artifact did not state outright is
//     Inferred with inferred.from saying from what.
//   - A verdict event (KindEvent, event.type deadlock, blocked, leak,
//     race or panic) when the artifact itself declares a failure, with
//     exception.type/exception.message as the runtime worded it, and an
//     emits edge from every thread the verdict involves to the event.
//     The incident detector turns these, and lock cycles, into signals.
package threads

import (
	"strconv"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// Stack is a thread's frames, innermost first.
type Stack struct {
	Frames []stacktrace.Frame
	// CreatedBy are the frames of the go statement (or equivalent) that
	// started the thread, innermost first; may be empty.
	CreatedBy []stacktrace.Frame
}

// Node describes a thread before it becomes an EPG node.
type Node struct {
	ID      string    // from epg.ThreadNodeID
	Name    string    // "goroutine 7", "main", "pool-1-thread-2"
	Attrs   epg.Attrs // sorted by Append
	Start   int64
	End     int64
	Trace   epg.TraceRef
	Service string
	Stack   Stack
}

// Append adds the thread node, its frames and their edges to f. Frame
// node IDs are the thread ID plus "/frame/i" (and "/created/i" for the
// creation stack), so a thread's stack is stable across re-decoding.
func Append(f *epg.Fragment, t Node) {
	n := epg.Node{ID: t.ID, Kind: epg.KindThread, Name: t.Name, Attrs: epg.SortAttrs(t.Attrs),
		Start: t.Start, End: t.End, Trace: t.Trace, Thread: t.ID, Service: t.Service}
	if top := FirstInApp(t.Stack.Frames); top != nil {
		n.Loc = Loc(top)
	}
	f.Nodes = append(f.Nodes, n)
	appendFrames(f, t, t.Stack.Frames, "/frame/", false)
	appendFrames(f, t, t.Stack.CreatedBy, "/created/", true)
}

func appendFrames(f *epg.Fragment, t Node, frames []stacktrace.Frame, infix string, created bool) {
	prev := ""
	for i := range frames {
		fr := &frames[i]
		id := t.ID + infix + strconv.Itoa(i)
		attrs := epg.Attrs{{Key: epg.AttrFrameIndex, Value: epg.Int(int64(i))}}
		if fr.Module != "" {
			attrs = attrs.Set("frame.module", epg.String(fr.Module))
		}
		if created {
			attrs = attrs.Set(epg.AttrFrameCreatedBy, epg.Bool(true))
		}
		f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindFrame, Name: fr.Function, Attrs: attrs,
			Loc: Loc(fr), Trace: t.Trace, Thread: t.ID, Service: t.Service})
		if i > 0 {
			f.Edges = append(f.Edges, epg.Edge{From: id, To: prev, Kind: epg.EdgeCall})
		}
		f.Edges = append(f.Edges, epg.Edge{From: id, To: t.ID, Kind: epg.EdgeOn})
		prev = id
	}
}

// FrameID returns the ID Append gives frame i of thread's own stack.
func FrameID(thread string, i int) string { return thread + "/frame/" + strconv.Itoa(i) }

// Lock describes a lock before it becomes an EPG node.
type Lock struct {
	ID    string // from epg.LockNodeID
	Name  string
	Kind  string // "mutex", "rwmutex", "monitor", "ownable", ...
	Addr  string
	Class string
}

// AppendLock adds a lock node to f.
func AppendLock(f *epg.Fragment, l Lock) {
	var attrs epg.Attrs
	if l.Kind != "" {
		attrs = attrs.Set(epg.AttrLockKind, epg.String(l.Kind))
	}
	if l.Addr != "" {
		attrs = attrs.Set(epg.AttrLockAddr, epg.String(l.Addr))
	}
	if l.Class != "" {
		attrs = attrs.Set(epg.AttrLockClass, epg.String(l.Class))
	}
	f.Nodes = append(f.Nodes, epg.Node{ID: l.ID, Kind: epg.KindLock, Name: l.Name, Attrs: attrs})
}

// Holds returns a thread→lock holds edge; from, when not empty, marks it
// inferred and says from what.
func Holds(thread, lock, from string) epg.Edge { return lockEdge(thread, lock, epg.EdgeHolds, from) }

// Waits returns a thread→lock waits edge; from as for Holds.
func Waits(thread, lock, from string) epg.Edge { return lockEdge(thread, lock, epg.EdgeWaits, from) }

func lockEdge(thread, lock string, k epg.EdgeKind, from string) epg.Edge {
	e := epg.Edge{From: thread, To: lock, Kind: k}
	if from != "" {
		e.Inferred = true
		e.Attrs = epg.Attrs{{Key: epg.AttrHowInferred, Value: epg.String(from)}}
	}
	return e
}

// Verdict describes the failure an artifact declares.
type Verdict struct {
	ID      string
	Type    string // epg.EventDeadlock, EventBlocked, EventLeak, EventRace, EventPanic
	Name    string // short: "fatal error", "DATA RACE", "test timeout"
	Message string // as the runtime worded it
	Time    int64
	Service string
	Attrs   epg.Attrs
	// Threads are the IDs of the thread nodes involved.
	Threads []string
}

// AppendVerdict adds the verdict event and an emits edge from each
// involved thread.
func AppendVerdict(f *epg.Fragment, v Verdict) {
	attrs := append(epg.Attrs(nil), v.Attrs...)
	attrs = attrs.Set(epg.AttrEventType, epg.String(v.Type))
	if v.Name != "" {
		attrs = attrs.Set(epg.AttrExceptionType, epg.String(v.Name))
	}
	if v.Message != "" {
		attrs = attrs.Set(epg.AttrExceptionMsg, epg.String(v.Message))
	}
	f.Nodes = append(f.Nodes, epg.Node{ID: v.ID, Kind: epg.KindEvent, Name: v.Name, Attrs: attrs,
		Start: v.Time, End: v.Time, Service: v.Service})
	for _, t := range v.Threads {
		f.Edges = append(f.Edges, epg.Edge{From: t, To: v.ID, Kind: epg.EdgeEmits})
	}
}

// Loc converts a parsed frame to an EPG location.
func Loc(fr *stacktrace.Frame) *epg.Location {
	return &epg.Location{File: fr.File, Line: fr.Line, Column: fr.Column, Function: fr.Function, Lang: fr.Lang, InApp: fr.InApp}
}

// FirstInApp returns the innermost in-app frame, else the innermost
// frame, else nil.
func FirstInApp(frames []stacktrace.Frame) *stacktrace.Frame {
	for i := range frames {
		if frames[i].InApp {
			return &frames[i]
		}
	}
	if len(frames) > 0 {
		return &frames[0]
	}
	return nil
}
