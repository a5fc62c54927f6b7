// Package inspect assembles what `tag show` displays about an incident:
// its occurrences, the merged EPG of a representative occurrence, the
// evidence nodes that matter (the signal, its stack frames, correlated
// logs, erroring spans) and a timeline. The same view serves the CLI's
// --json output and, later, the HTTP API.
package inspect

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tagdebug/tag/internal/redact"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/store"
)

// View is an incident with its evidence, as `tag show --json` prints it.
type View struct {
	Incident    store.Incident     `json:"incident"`
	Occurrences []store.Occurrence `json:"occurrences"`
	// Representative is the occurrence the evidence and timeline are of:
	// the most recent one.
	Representative *store.Occurrence `json:"representative,omitempty"`
	Evidence       []Evidence        `json:"evidence"`
	Timeline       []TimelineEntry   `json:"timeline"`
	Graph          *epg.Graph        `json:"graph,omitempty"`
}

// Evidence is one node that supports the incident, with a one-line summary.
type Evidence struct {
	Node    string        `json:"node"`
	Kind    string        `json:"kind"`
	Summary string        `json:"summary"`
	Loc     *epg.Location `json:"location,omitempty"`
}

// TimelineEntry is one span or event in time order.
type TimelineEntry struct {
	Time     int64  `json:"time"`
	OffsetNS int64  `json:"offset_ns"`
	Duration int64  `json:"duration_ns,omitempty"`
	Depth    int    `json:"depth"`
	Service  string `json:"service,omitempty"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Status   string `json:"status,omitempty"`
	Node     string `json:"node"`
}

// Load builds the view of the incident ref (ID or prefix).
func Load(ctx context.Context, st store.Store, ref string) (*View, error) {
	in, err := st.Incident(ctx, ref)
	if err != nil {
		return nil, err
	}
	occs, err := st.Occurrences(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	v := &View{Incident: *in, Occurrences: occs, Evidence: []Evidence{}, Timeline: []TimelineEntry{}}
	if len(occs) == 0 {
		return v, nil
	}
	rep := occs[0]
	v.Representative = &rep
	frags, err := st.Fragments(ctx, rep.Artifacts)
	if err != nil {
		return nil, fmt.Errorf("load evidence of %s: %w", in.ID, err)
	}
	b := epg.NewBuilder()
	for _, f := range frags {
		b.Add(f)
	}
	g := b.Build()
	if rep.TraceID != "" {
		g = traceView(g, rep.TraceID)
	}
	v.Graph = g
	v.Evidence = evidenceOf(g, rep.Node)
	v.Timeline = timelineOf(g)
	return v, nil
}

// traceView keeps the nodes of one trace and the traceless evidence joined
// to them (a goroutine dump's threads and frames, a log line matched by
// time), but not the other requests that shared an export batch.
func traceView(g *epg.Graph, trace string) *epg.Graph {
	var starts []int32
	g.Nodes(epg.KindUnspecified, func(i int32, n *epg.Node) bool {
		if n.Trace.TraceID == trace {
			starts = append(starts, i)
		}
		return true
	})
	keep := make(map[string]bool, len(starts))
	g.Walk(starts, epg.Both, nil, func(i int32, depth int) bool {
		n := g.Node(i)
		if depth > 0 && n.Trace.TraceID != "" {
			return false
		}
		keep[n.ID] = true
		return true
	})
	return g.Subgraph(func(n *epg.Node) bool { return keep[n.ID] })
}

// evidenceOf walks from the signal node to what explains it: the frames
// that raised it, its causes, the span that emitted it and that span's
// ancestors, and logs correlated to those spans.
func evidenceOf(g *epg.Graph, node string) []Evidence {
	out := []Evidence{}
	start, ok := g.Lookup(node)
	if !ok {
		return out
	}
	if isRuntimeSignal(g, start) {
		for _, i := range runtimeEvidence(g, start) {
			out = append(out, evidenceItem(g, i))
		}
		return out
	}
	follow := func(e int32) bool {
		switch g.Edge(e).Kind {
		case epg.EdgeEmits, epg.EdgeCall, epg.EdgeCausedBy, epg.EdgeCorrelates:
			return true
		}
		return false
	}
	var idx []int32
	g.Walk([]int32{start}, epg.Backward, follow, func(n int32, depth int) bool {
		idx = append(idx, n)
		return depth < 64
	})
	// Causes hang forward of the signal.
	g.Walk([]int32{start}, epg.Forward, func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCausedBy }, func(n int32, depth int) bool {
		if depth > 0 {
			idx = append(idx, n)
		}
		return true
	})
	// Logs correlated to any span on the path.
	for _, n := range slices.Clone(idx) {
		if g.Node(n).Kind != epg.KindSpan {
			continue
		}
		for _, e := range g.In(n) {
			if g.Edge(e).Kind == epg.EdgeCorrelates {
				from, _ := g.Ends(e)
				if !slices.Contains(idx, from) {
					idx = append(idx, from)
				}
			}
		}
	}
	slices.SortStableFunc(idx, func(a, b int32) int { return evidenceRank(g, a) - evidenceRank(g, b) })
	for _, i := range idx {
		out = append(out, evidenceItem(g, i))
	}
	return out
}

func evidenceItem(g *epg.Graph, i int32) Evidence {
	n := g.Node(i)
	ev := Evidence{Node: n.ID, Kind: kindLabel(n), Summary: Summary(n)}
	if n.Kind == epg.KindLock {
		ev.Summary = oneLine(lockSummary(g, n), 300)
	}
	if !n.Loc.IsZero() {
		ev.Loc = n.Loc
	}
	return ev
}

// evidenceRank orders evidence the way an engineer reads it: the failure,
// the frames that raised it (innermost first), its causes, the spans it
// escaped through (innermost first), then logs.
func evidenceRank(g *epg.Graph, i int32) int {
	n := g.Node(i)
	switch n.Kind {
	case epg.KindEvent:
		switch n.EventType() {
		case epg.EventException, epg.EventPanic:
			if len(g.Parents(i, epg.EdgeCausedBy)) > 0 {
				return 2000
			}
			return 0
		case epg.EventLog:
			return 4000
		}
		return 3500
	case epg.KindFrame:
		v, _ := n.Attr(epg.AttrFrameIndex)
		return 1 + int(min(v.IntVal(), 998))
	case epg.KindSpan:
		return 3000
	}
	return 5000
}

func kindLabel(n *epg.Node) string {
	if n.Kind == epg.KindEvent && n.EventType() != "" {
		return n.EventType()
	}
	return n.Kind.String()
}

// Summary renders a node as one line for people.
func Summary(n *epg.Node) string {
	switch n.Kind {
	case epg.KindSpan:
		s := fmt.Sprintf("%s %q", n.Service, n.Name)
		if d := n.Duration(); d > 0 {
			s += " took " + time.Duration(d).Round(time.Microsecond).String()
		}
		if st := n.Attrs.Str(epg.AttrStatusCode); st == "error" {
			s += " → error"
			if m := n.Attrs.Str(epg.AttrStatusMessage); m != "" {
				s += ": " + oneLine(m, 160)
			}
		}
		return s
	case epg.KindThread:
		return oneLine(threadSummary(n), 300)
	case epg.KindFrame:
		if n.Loc != nil {
			app := ""
			if !n.Loc.InApp {
				app = " (library)"
			}
			return fmt.Sprintf("%s at %s:%d%s", n.Loc.Function, n.Loc.File, n.Loc.Line, app)
		}
	case epg.KindEvent:
		switch n.EventType() {
		case epg.EventException, epg.EventPanic, epg.EventDeadlock, epg.EventBlocked, epg.EventLeak, epg.EventRace:
			s := n.Attrs.Str(epg.AttrExceptionType)
			if m := n.Attrs.Str(epg.AttrExceptionMsg); m != "" {
				s += ": " + oneLine(m, 200)
			}
			return s
		case epg.EventLog:
			sev := n.Attrs.Str(epg.AttrSeverity)
			if sev == "" {
				sev = "log"
			}
			return sev + " " + oneLine(n.Name, 200)
		}
	}
	return oneLine(n.Name, 200)
}

func oneLine(s string, n int) string { return redact.Shorten(s, n) }

// timelineOf lists spans and events in start order with their call depth.
func timelineOf(g *epg.Graph) []TimelineEntry {
	out := []TimelineEntry{}
	var t0 int64
	depth := map[int32]int{}
	var depthOf func(i int32, guard int) int
	depthOf = func(i int32, guard int) int {
		if d, ok := depth[i]; ok {
			return d
		}
		d := 0
		if guard < 256 {
			for _, p := range g.Parents(i, epg.EdgeCall) {
				if g.Node(p).Kind == epg.KindSpan {
					d = depthOf(p, guard+1) + 1
					break
				}
			}
			if g.Node(i).Kind == epg.KindEvent {
				for _, e := range g.In(i) {
					if g.Edge(e).Kind == epg.EdgeEmits {
						from, _ := g.Ends(e)
						if g.Node(from).Kind == epg.KindSpan {
							d = depthOf(from, guard+1) + 1
						}
					}
				}
				for _, e := range g.Out(i) {
					if g.Edge(e).Kind == epg.EdgeCorrelates {
						_, to := g.Ends(e)
						d = depthOf(to, guard+1) + 1
					}
				}
			}
		}
		depth[i] = d
		return d
	}
	g.Nodes(epg.KindUnspecified, func(i int32, n *epg.Node) bool {
		if (n.Kind != epg.KindSpan && n.Kind != epg.KindEvent) || n.Start == 0 {
			return true
		}
		if len(g.Parents(i, epg.EdgeCausedBy)) > 0 {
			return true // a cause is shown with the exception it caused
		}
		if t0 == 0 || n.Start < t0 {
			t0 = n.Start
		}
		e := TimelineEntry{Time: n.Start, Duration: n.Duration(), Depth: depthOf(i, 0), Service: n.Service,
			Kind: kindLabel(n), Name: Summary(n), Node: n.ID}
		if n.Kind == epg.KindSpan {
			e.Name = n.Name
			e.Status = n.Attrs.Str(epg.AttrStatusCode)
		}
		out = append(out, e)
		return true
	})
	for i := range out {
		out[i].OffsetNS = out[i].Time - t0
	}
	slices.SortStableFunc(out, func(a, b TimelineEntry) int {
		if a.Time != b.Time {
			return int(min(max(a.Time-b.Time, -1), 1))
		}
		return a.Depth - b.Depth
	})
	return out
}
