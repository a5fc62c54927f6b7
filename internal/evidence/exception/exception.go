// Package exception turns an exception recorded the OpenTelemetry way (a
// span event or log record named "exception" with exception.type,
// exception.message and exception.stacktrace) into EPG nodes: an event
// node, one frame node per parsed stack frame linked by call edges, the
// innermost frame emitting the event, and caused_by edges down the chain
// of causes.
package exception

import (
	"strconv"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// Record is one recorded exception.
type Record struct {
	// ID is the event node's ID; it must be unique within the graph and
	// stable for the same evidence (e.g. derived from span ID and index).
	ID         string
	Type       string
	Message    string
	Stacktrace string
	// Escaped is OpenTelemetry's exception.escaped.
	Escaped bool
	Time    int64
	Service string
	Trace   epg.TraceRef
	// Thread is the ID of the thread node the frames ran on, if known.
	Thread string
	// Attrs are further attributes of the record (already typed).
	Attrs epg.Attrs
}

// Append adds the exception's nodes and edges to f and returns the ID of
// the event node.
func Append(f *epg.Fragment, r Record) string {
	tr, _ := stacktrace.Parse(r.Stacktrace)
	if tr == nil {
		tr = &stacktrace.Trace{}
	}
	// The recorded type and message win over what the text says; the text
	// fills gaps (some SDKs record only the stack).
	if r.Type != "" {
		tr.Type = r.Type
	}
	if r.Message != "" {
		tr.Message = r.Message
	}
	attrs := append(epg.Attrs(nil), r.Attrs...)
	attrs = attrs.Set(epg.AttrEventType, epg.String(epg.EventException))
	if r.Stacktrace != "" {
		attrs = attrs.Set(epg.AttrExceptionStack, epg.String(r.Stacktrace))
	}
	if r.Escaped {
		attrs = attrs.Set("exception.escaped", epg.Bool(true))
	}
	return appendTrace(f, r, tr, r.ID, attrs)
}

func appendTrace(f *epg.Fragment, r Record, tr *stacktrace.Trace, id string, attrs epg.Attrs) string {
	if tr.Type != "" {
		attrs = attrs.Set(epg.AttrExceptionType, epg.String(tr.Type))
	}
	if tr.Message != "" {
		attrs = attrs.Set(epg.AttrExceptionMsg, epg.String(tr.Message))
	}
	if tr.Lang != "" {
		attrs = attrs.Set("exception.lang", epg.String(tr.Lang))
	}
	name := tr.Type
	if name == "" {
		name = "exception"
	}
	ev := epg.Node{ID: id, Kind: epg.KindEvent, Name: name, Attrs: attrs, Start: r.Time, End: r.Time,
		Trace: r.Trace, Thread: r.Thread, Service: r.Service}
	if top := threads.FirstInApp(tr.Frames); top != nil {
		ev.Loc = threads.Loc(top)
	}
	f.Nodes = append(f.Nodes, ev)
	prev := ""
	for i := range tr.Frames {
		fr := &tr.Frames[i]
		fid := id + "/frame/" + strconv.Itoa(i)
		fattrs := epg.Attrs{{Key: epg.AttrFrameIndex, Value: epg.Int(int64(i))}}
		if fr.Async {
			fattrs = fattrs.Set("frame.async", epg.Bool(true))
		}
		if fr.Module != "" {
			fattrs = fattrs.Set("frame.module", epg.String(fr.Module))
		}
		f.Nodes = append(f.Nodes, epg.Node{ID: fid, Kind: epg.KindFrame, Name: fr.Function, Attrs: fattrs,
			Loc: threads.Loc(fr), Trace: r.Trace, Thread: r.Thread, Service: r.Service})
		if i == 0 {
			f.Edges = append(f.Edges, epg.Edge{From: fid, To: id, Kind: epg.EdgeEmits})
		} else {
			// Frame i called frame i-1: caller → callee.
			f.Edges = append(f.Edges, epg.Edge{From: fid, To: prev, Kind: epg.EdgeCall})
		}
		if r.Thread != "" {
			f.Edges = append(f.Edges, epg.Edge{From: fid, To: r.Thread, Kind: epg.EdgeOn})
		}
		prev = fid
	}
	if tr.Cause != nil {
		cr := r
		cr.Type, cr.Message = "", ""
		// The cause hangs off its effect by caused_by; without the span ID
		// the builder will not also attach it to the span.
		cr.Trace.SpanID = ""
		causeID := appendTrace(f, cr, tr.Cause, id+"/cause", epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventException)}})
		f.Edges = append(f.Edges, epg.Edge{From: id, To: causeID, Kind: epg.EdgeCausedBy})
	}
	return id
}
