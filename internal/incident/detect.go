package incident

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tagdebug/tag/epg"
)

// maxFrames is how many in-app frames enter the fingerprint.
const maxFrames = 3

// Detect returns the failure signals in g, sorted by time then node.
func Detect(g *epg.Graph, opt Options) []Signal {
	if opt.MinLogSeverity == 0 {
		opt.MinLogSeverity = 13
	}
	d := detector{g: g, opt: opt}
	d.markErrors()
	var out []Signal
	out = append(out, d.exceptions()...)
	out = append(out, d.spanSignals()...)
	out = append(out, d.runtimeSignals()...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Time != out[j].Time {
			return out[i].Time < out[j].Time
		}
		return out[i].Node < out[j].Node
	})
	return out
}

type detector struct {
	g   *epg.Graph
	opt Options
	// failing[i] is true when span i or one of its call descendants
	// failed (error status, exception or timeout).
	failing []bool
	// ownException[i] is true when span i emitted an exception itself.
	ownException []bool
	// errorSpan[i] and timeoutSpan[i] classify span i once: both passes
	// over the spans need them, and they cost attribute lookups.
	errorSpan, timeoutSpan []bool
}

func (d *detector) isErrorSpan(n *epg.Node) bool {
	if n.Attrs.Str(epg.AttrStatusCode) == "error" {
		return true
	}
	if v, ok := n.Attr(epg.AttrHTTPStatus); ok && n.Attrs.Str(epg.AttrSpanKind) == "server" && v.IntVal() >= 500 {
		return true
	}
	return false
}

func (d *detector) isTimeoutSpan(n *epg.Node) bool {
	if isTimeoutText(n.Attrs.Str(epg.AttrStatusMessage)) {
		return true
	}
	if v, ok := n.Attr(epg.AttrRPCGRPCStatus); ok && v.IntVal() == 4 { // DEADLINE_EXCEEDED
		return true
	}
	dur := time.Duration(n.Duration())
	if d.opt.Deadline > 0 && dur > d.opt.Deadline {
		return true
	}
	if len(d.opt.SLO) == 0 || n.Attrs.Str(epg.AttrSpanKind) != "server" {
		return false
	}
	if slo, ok := d.opt.SLO[d.endpointOf(n)]; ok && slo > 0 && dur > slo && n.Attrs.Str(epg.AttrSpanKind) == "server" {
		return true
	}
	return false
}

// markErrors computes failing[] bottom-up over call edges.
func (d *detector) markErrors() {
	g := d.g
	n := g.NumNodes()
	d.failing = make([]bool, n)
	d.ownException = make([]bool, n)
	d.errorSpan = make([]bool, n)
	d.timeoutSpan = make([]bool, n)
	g.Nodes(epg.KindEvent, func(i int32, ev *epg.Node) bool {
		if d.countsAsException(i, ev) {
			for _, s := range g.Parents(i, epg.EdgeEmits) {
				if g.Node(s).Kind == epg.KindSpan {
					d.ownException[s] = true
				}
			}
		}
		return true
	})
	g.Nodes(epg.KindSpan, func(i int32, s *epg.Node) bool {
		d.errorSpan[i], d.timeoutSpan[i] = d.isErrorSpan(s), d.isTimeoutSpan(s)
		if d.errorSpan[i] || d.timeoutSpan[i] || d.ownException[i] {
			// Mark this span and its ancestors; stop where already marked.
			g.Walk([]int32{i}, epg.Backward, func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCall },
				func(j int32, depth int) bool {
					if depth > 0 && d.failing[j] {
						return false
					}
					d.failing[j] = true
					return true
				})
		}
		return true
	})
}

// countsAsException: an exception or panic event that is not itself the
// cause of another one, and, for log records, severe enough.
func (d *detector) countsAsException(i int32, ev *epg.Node) bool {
	t := ev.EventType()
	if t != epg.EventException && t != epg.EventPanic {
		return false
	}
	if len(d.g.Parents(i, epg.EdgeCausedBy)) > 0 {
		return false
	}
	if sev, ok := ev.Attr(epg.AttrSeverityNumber); ok && sev.IntVal() > 0 && sev.IntVal() < d.opt.MinLogSeverity {
		return false
	}
	return true
}

// exceptions yields one signal per exception, except that the same
// exception recorded again by each span it escaped through counts once, at
// the deepest span.
func (d *detector) exceptions() []Signal {
	g := d.g
	type key struct{ trace, typ, msg string }
	best := map[key]Signal{}
	bestDepth := map[key]int{}
	var order []key
	g.Nodes(epg.KindEvent, func(i int32, ev *epg.Node) bool {
		if !d.countsAsException(i, ev) {
			return true
		}
		span := d.spanOf(i)
		sig := d.exceptionSignal(i, ev, span)
		// The type is left out of the key: a log record and a span event
		// often name one error differently (a wrapper's type vs the
		// wrapped one) while carrying the same message.
		k := key{ev.Trace.TraceID, "", Normalize(ev.Attrs.Str(epg.AttrExceptionMsg))}
		if k.msg == "" {
			k.typ = sig.ErrorType
		}
		// Deeper spans win; at equal depth, the record with more in-app
		// frames says more.
		depth := 0
		if span >= 0 {
			depth = d.depth(span)
		}
		depth = depth*(maxFrames+1) + len(sig.Frames)
		if ev.Trace.TraceID == "" {
			k.msg = ev.ID // without a trace, nothing says two records are one failure
		}
		if prev, ok := bestDepth[k]; !ok || depth > prev {
			if !ok {
				order = append(order, k)
			}
			best[k], bestDepth[k] = sig, depth
		}
		return true
	})
	out := make([]Signal, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

func (d *detector) exceptionSignal(i int32, ev *epg.Node, span int32) Signal {
	kind := KindException
	if ev.EventType() == epg.EventPanic {
		kind = KindPanic
	}
	typ := ev.Attrs.Str(epg.AttrExceptionType)
	if typ == "" {
		typ = ev.Name
	}
	msg := ev.Attrs.Str(epg.AttrExceptionMsg)
	frames := d.inAppFrames(i)
	service, endpoint := ev.Service, ""
	if span >= 0 {
		endpoint = d.endpointOf(d.g.Node(span))
		if service == "" {
			service = d.g.Node(span).Service
		}
	}
	title := typ
	if msg != "" {
		title += ": " + clip(msg, 120)
	}
	return Signal{Kind: kind, Title: title, ErrorType: typ, Service: service, Endpoint: endpoint,
		Node: ev.ID, TraceID: ev.Trace.TraceID, Time: ev.Start, Frames: frames,
		Fingerprint: fingerprint(kind, typ, frames, service, endpoint, Normalize(msg))}
}

// spanSignals yields error and timeout signals at the spans where the
// failure originates.
func (d *detector) spanSignals() []Signal {
	g := d.g
	var out []Signal
	g.Nodes(epg.KindSpan, func(i int32, s *epg.Node) bool {
		timeout := d.timeoutSpan[i]
		if !timeout && !d.errorSpan[i] {
			return true
		}
		if d.ownException[i] {
			return true // the exception is the signal
		}
		for _, c := range g.Children(i, epg.EdgeCall) {
			if d.failing[c] {
				return true // the failure came from below
			}
		}
		kind := KindError
		if timeout {
			kind = KindTimeout
		}
		msg := s.Attrs.Str(epg.AttrStatusMessage)
		endpoint := d.endpointOf(s)
		var title, typ string
		switch {
		case kind == KindTimeout:
			typ = "timeout"
			title = fmt.Sprintf("timeout in %s after %s", s.Name, time.Duration(s.Duration()).Round(time.Millisecond))
		case msg != "":
			typ = Normalize(msg)
			title = fmt.Sprintf("%s failed: %s", s.Name, clip(msg, 120))
		default:
			typ = "error"
			title = s.Name + " failed"
		}
		if v, ok := s.Attr(epg.AttrHTTPStatus); ok && msg == "" {
			title += fmt.Sprintf(" (HTTP %d)", v.IntVal())
		}
		out = append(out, Signal{Kind: kind, Title: title, ErrorType: typ, Service: s.Service, Endpoint: endpoint,
			Node: s.ID, TraceID: s.Trace.TraceID, Time: s.Start, Frames: []string{s.Name},
			Fingerprint: fingerprint(kind, typ, []string{s.Name}, s.Service, endpoint, "")})
		return true
	})
	return out
}

// spanOf returns the span that emitted event i, or -1.
func (d *detector) spanOf(i int32) int32 {
	for _, p := range d.g.Parents(i, epg.EdgeEmits) {
		if d.g.Node(p).Kind == epg.KindSpan {
			return p
		}
	}
	return -1
}

// depth counts call ancestors of span i.
func (d *detector) depth(i int32) int {
	depth := 0
	seen := map[int32]bool{i: true}
	for {
		ps := d.g.Parents(i, epg.EdgeCall)
		if len(ps) == 0 || seen[ps[0]] {
			return depth
		}
		i = ps[0]
		seen[i] = true
		depth++
	}
}

// endpointOf names the entry point serving span s: the outermost span of
// the same service above it (a server span when there is one), by its
// route, RPC method or name.
func (d *detector) endpointOf(s *epg.Node) string {
	g := d.g
	cur, ok := g.Lookup(s.ID)
	if !ok {
		return spanEndpoint(s)
	}
	entry := cur
	seen := map[int32]bool{cur: true}
	for {
		ps := g.Parents(cur, epg.EdgeCall)
		if len(ps) == 0 || seen[ps[0]] || g.Node(ps[0]).Service != s.Service {
			break
		}
		cur = ps[0]
		seen[cur] = true
		entry = cur
	}
	return spanEndpoint(g.Node(entry))
}

func spanEndpoint(s *epg.Node) string {
	if r := s.Attrs.Str(epg.AttrHTTPRoute); r != "" {
		// Go 1.22 mux patterns ("POST /pay") already carry the method.
		if m := s.Attrs.Str("http.request.method"); m != "" && !strings.HasPrefix(r, m+" ") {
			return m + " " + r
		}
		return r
	}
	if m := s.Attrs.Str("rpc.method"); m != "" {
		return s.Attrs.Str("rpc.service") + "/" + m
	}
	return s.Name
}

// inAppFrames returns the top in-app functions of the stack that emitted
// exception event i, innermost first.
func (d *detector) inAppFrames(i int32) []string {
	g := d.g
	var frame int32 = -1
	for _, p := range g.Parents(i, epg.EdgeEmits) {
		if g.Node(p).Kind == epg.KindFrame {
			frame = p
		}
	}
	var out []string
	seen := map[int32]bool{}
	for frame >= 0 && len(out) < maxFrames && !seen[frame] {
		seen[frame] = true
		n := g.Node(frame)
		if n.Loc != nil && n.Loc.InApp && n.Loc.Function != "" {
			out = append(out, n.Loc.Function)
		}
		callers := g.Parents(frame, epg.EdgeCall)
		frame = -1
		for _, c := range callers {
			if g.Node(c).Kind == epg.KindFrame {
				frame = c
			}
		}
	}
	return out
}
