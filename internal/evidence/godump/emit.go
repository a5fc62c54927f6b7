package godump

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// Attribute keys this package adds beyond epg's well-known ones.
const (
	// AttrLeaked marks a goroutine the go1.26 leak profile printed as
	// "(leaked)" or goleak reported.
	AttrLeaked = "thread.leaked"
	// AttrLockedToThread marks a goroutine wired to its OS thread
	// (runtime.LockOSThread).
	AttrLockedToThread = "thread.locked_to_thread"
	// AttrCreatedIn is the goroutine whose go statement started this
	// one ("created by F in goroutine N", go1.21+).
	AttrCreatedIn = "thread.created_in"
	// AttrFramesElided marks a stack the runtime elided frames of, or
	// that was cut at stacktrace.MaxFrames.
	AttrFramesElided = "thread.frames_elided"
	// AttrLockAddrFrom says where a lock's address came from: "lockSlow"
	// (the mutex itself), "Lock" (the Lock call's argument) or "caller"
	// (the Lock call was inlined; the address is that of the struct the
	// calling frame received, which holds the mutex).
	AttrLockAddrFrom = "lock.address_from"
)

// emitter builds a dump's fragment.
type emitter struct {
	in    *evidence.Input
	scope string
	f     *epg.Fragment
}

func (e *emitter) threadID(key string) string { return epg.ThreadNodeID(e.scope, key) }

// goroutine appends g's thread node and frames.
func (e *emitter) goroutine(g *goroutine, state string) {
	attrs := make(epg.Attrs, 0, 9)
	if len(g.created) > 0 {
		attrs = append(attrs, epg.Attr{Key: epg.AttrThreadCreatedBy, Value: epg.String(g.created[0].Function)})
	}
	if g.createdIn != "" {
		attrs = append(attrs, epg.Attr{Key: AttrCreatedIn, Value: epg.String(evidence.Clip(g.createdIn))})
	}
	if g.elided {
		attrs = append(attrs, epg.Attr{Key: AttrFramesElided, Value: epg.Bool(true)})
	}
	attrs = append(attrs, epg.Attr{Key: epg.AttrThreadID, Value: epg.String(g.id)})
	if g.leaked {
		attrs = append(attrs, epg.Attr{Key: AttrLeaked, Value: epg.Bool(true)})
	}
	if g.locked {
		attrs = append(attrs, epg.Attr{Key: AttrLockedToThread, Value: epg.Bool(true)})
	}
	attrs = append(attrs, epg.Attr{Key: epg.AttrThreadState, Value: epg.String(state)})
	if g.waitNs > 0 {
		attrs = append(attrs, epg.Attr{Key: epg.AttrThreadWaitNs, Value: epg.Int(g.waitNs)})
	}
	if state == "waiting" || state == "blocked" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrThreadWaitFor, Value: epg.String(evidence.Clip(g.reason))})
	}
	threads.Append(e.f, threads.Node{ID: e.threadID(g.key), Name: "goroutine " + g.key, Attrs: attrs,
		Service: e.in.Service, Stack: threads.Stack{Frames: plain(g.frames), CreatedBy: plain(g.created)}})
}

// plain drops the argument text threads.Append has no use for.
func plain(fs []frame) []stackFrame {
	if len(fs) == 0 {
		return nil
	}
	out := make([]stackFrame, len(fs))
	for i := range fs {
		out[i] = fs[i].Frame
	}
	return out
}

// state maps a wait reason to the thread.state convention.
func state(reason string, lockWait bool) string {
	switch reason {
	case "running", "runnable", "syscall", "dead", "idle":
		return reason
	}
	if lockWait {
		return "blocked"
	}
	return "waiting"
}

// lockInfo is one lock some goroutine waits for.
type lockInfo struct {
	addr uint64
	id   string
}

// locks appends lock nodes and waits/holds edges, and returns which
// goroutines wait on a lock.
func (e *emitter) locks(d *dump, waits []wait, waiting []bool) {
	var addrs []uint64
	byAddr := map[uint64]string{}
	// Without source roots no file is opened: the paths in a dump are the
	// artifact's, and opening whatever it names (a FIFO, a device) from
	// untrusted input is not a decoder's business.
	nm := &namer{roots: e.in.SourceRoots, off: len(e.in.SourceRoots) == 0}
	for i, g := range d.goroutines {
		if !waiting[i] {
			continue
		}
		w := waits[i]
		if _, ok := byAddr[w.addr]; !ok {
			kind := "mutex"
			if w.rw {
				kind = "rwmutex"
			}
			id := epg.LockNodeID(e.scope, hexAddr(w.addr))
			byAddr[w.addr] = id
			addrs = append(addrs, w.addr)
			threads.AppendLock(e.f, threads.Lock{ID: id, Name: nm.name(g, w, kind), Kind: kind, Addr: hexAddr(w.addr)})
			n := &e.f.Nodes[len(e.f.Nodes)-1]
			n.Attrs = n.Attrs.Set(AttrLockAddrFrom, epg.String(w.from))
		}
		edge := threads.Waits(e.threadID(g.key), byAddr[w.addr], "")
		if w.rw {
			mode := "write"
			if w.read {
				mode = "read"
			}
			edge.Attrs = edge.Attrs.Set(epg.AttrLockMode, epg.String(mode))
		}
		e.f.Edges = append(e.f.Edges, edge)
	}
	if len(addrs) == 0 {
		return
	}
	sorted := slices.Clone(addrs)
	slices.Sort(sorted)
	var held []uint64
	for i, g := range d.goroutines {
		skip, caller := uint64(0), -1
		if waiting[i] {
			skip, caller = waits[i].addr, waits[i].caller
		}
		held = holds(g, sorted, skip, caller, held)
		// Edges follow the order locks were first seen, not addresses,
		// so output is stable under address randomisation of reruns.
		for _, a := range addrs {
			if slices.Contains(held, a) {
				e.f.Edges = append(e.f.Edges, threads.Holds(e.threadID(g.key), byAddr[a], "args"))
			}
		}
	}
}

// verdicts appends the events the dump declares.
func (e *emitter) verdicts(d *dump, states []string) {
	if len(d.panics) > 0 {
		e.panicVerdict(d, states)
	}
	if d.goleak != "" {
		var ts []string
		for _, g := range d.goroutines {
			if g.goleak {
				ts = append(ts, e.threadID(g.key))
			}
		}
		threads.AppendVerdict(e.f, threads.Verdict{ID: e.eventID("leak"), Type: epg.EventLeak, Name: "goleak",
			Message: d.goleak, Time: e.in.Time, Service: e.in.Service, Threads: ts})
	}
	if d.slow != "" {
		e.slowNote(d, states)
	}
	var leaked []string
	for _, g := range d.goroutines {
		if g.leaked {
			leaked = append(leaked, e.threadID(g.key))
		}
	}
	if len(leaked) > 0 {
		threads.AppendVerdict(e.f, threads.Verdict{ID: e.eventID("leak-profile"), Type: epg.EventLeak,
			Name: "goroutine leak", Message: strconv.Itoa(len(leaked)) + " leaked goroutines (goroutineleak profile)",
			Time: e.in.Time, Service: e.in.Service, Threads: leaked})
	}
}

// slowNote records a slow-request snapshot as an epg.EventSlow note, not
// a verdict: the requests were late, not stuck. Its threads are those
// doing or awaiting the program's own work (see waitsInApp) — the late
// requests among them, and whatever they queue behind.
func (e *emitter) slowNote(d *dump, states []string) {
	v := threads.Verdict{ID: e.eventID("slow"), Type: epg.EventSlow, Name: "slow requests", Message: d.slow,
		Time: e.in.Time, Service: e.in.Service}
	for i, g := range d.goroutines {
		if states[i] != "idle" && states[i] != "dead" && waitsInApp(g) {
			v.Threads = append(v.Threads, e.threadID(g.key))
		}
	}
	threads.AppendVerdict(e.f, v)
}

func (e *emitter) eventID(kind string) string { return "event:" + e.scope + ":" + kind }

// panicVerdict turns the first panic or fatal error line into a panic,
// deadlock or test-timeout verdict. Later lines indented under it are
// panics raised while it was being handled; the last of those is what
// killed the program and becomes the message, as the stacktrace package
// reads it.
func (e *emitter) panicVerdict(d *dump, states []string) {
	p := d.panics[0]
	v := threads.Verdict{Name: p.typ, Message: p.msg, Time: e.in.Time, Service: e.in.Service}
	switch {
	case p.typ == "fatal error" && strings.HasPrefix(p.msg, "all goroutines are asleep"):
		v.ID, v.Type = e.eventID("deadlock"), epg.EventDeadlock
		for i, g := range d.goroutines {
			if states[i] == "waiting" || states[i] == "blocked" {
				v.Threads = append(v.Threads, e.threadID(g.key))
			}
		}
	case p.typ == "panic" && strings.HasPrefix(p.msg, "test timed out after "), p.typ == watchdogType:
		v.ID, v.Type, v.Name = e.eventID("blocked"), epg.EventBlocked, "test timeout"
		if p.typ == watchdogType {
			v.Name = "watchdog"
		}
		for i, g := range d.goroutines {
			if (states[i] == "waiting" || states[i] == "blocked") && waitsInApp(g) {
				v.Threads = append(v.Threads, e.threadID(g.key))
			}
		}
	default:
		v.ID, v.Type = e.eventID("panic"), epg.EventPanic
		if p.before < len(d.goroutines) {
			g := d.goroutines[p.before]
			tid := e.threadID(g.key)
			v.Threads = []string{tid}
			threads.AppendVerdict(e.f, v)
			if len(g.frames) > 0 {
				// Exception-style walks start at the raising frame.
				e.f.Edges = append(e.f.Edges, epg.Edge{From: threads.FrameID(tid, 0), To: v.ID, Kind: epg.EdgeEmits})
				e.f.Nodes[e.verdictIndex(v.ID)].Loc = threads.Loc(threads.FirstInApp(plain(g.frames)))
			}
			return
		}
	}
	threads.AppendVerdict(e.f, v)
}

func (e *emitter) verdictIndex(id string) int {
	for i := len(e.f.Nodes) - 1; i >= 0; i-- {
		if e.f.Nodes[i].ID == id {
			return i
		}
	}
	return -1
}

// waitsInApp reports whether the code that made g block is the
// program's: the innermost frame outside the runtime, the sync and time
// packages and internal packages is in-app. The testing framework's
// own goroutines (tRunner waiting for subtests, the alarm) and library
// goroutines (net/http's accept loop) are not.
func waitsInApp(g *goroutine) bool {
	for i := range g.frames {
		m := g.frames[i].Module
		if isSyncPkg(m) || m == "time" || m == "sync/atomic" || strings.HasPrefix(m, "internal/") {
			continue
		}
		return g.frames[i].InApp
	}
	return false
}
