package rca

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/critpath"
	"github.com/tagdebug/tag/internal/inspect"
)

// slowestWork ranks the spans of a failure without a stack — timeouts,
// latency and error statuses. An error began at the innermost span with
// an error status, so those lead (deepest first); then, and for
// timeouts only, the spans on the critical path by their own time on it.
// Each is located by its code.* attributes when the instrumentation
// recorded them.
func slowestWork(g *epg.Graph, start int32, kind string) []Candidate {
	root := start
	if g.Node(root).Kind != epg.KindSpan {
		for _, p := range g.Parents(root, epg.EdgeEmits) {
			if g.Node(p).Kind == epg.KindSpan {
				root = p
				break
			}
		}
	}
	if g.Node(root).Kind != epg.KindSpan {
		return nil
	}
	var out []Candidate
	if kind != "timeout" && kind != "latency" {
		g.Walk([]int32{root}, epg.Forward, func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCall }, func(s int32, depth int) bool {
			if n := g.Node(s); n.Kind == epg.KindSpan && n.Attrs.Str(epg.AttrStatusCode) == "error" {
				out = append(out, spanCandidate(n, 1+float64(depth)/100, "the innermost span with an error status: "+inspect.Summary(n)))
			}
			return depth < 64 && len(out) < 1000
		})
		slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	}
	return append(out, criticalPathWork(g, root)...)
}

// criticalPathWork ranks the spans on the trace's critical path (skew
// corrected, asynchronous children never blocking) by their own time on
// it: for a timeout, the work that made the request late.
func criticalPathWork(g *epg.Graph, root int32) []Candidate {
	top := root
	for {
		ps := g.Parents(top, epg.EdgeCall)
		if len(ps) == 0 || g.Node(ps[0]).Kind != epg.KindSpan {
			break
		}
		top = ps[0]
	}
	p, err := critpath.Compute(g, g.Node(top).ID, critpath.Options{})
	if err != nil || p.DurationNs <= 0 {
		return nil
	}
	var out []Candidate
	for _, st := range p.SpanTimes {
		i, ok := g.Lookup(st.Span)
		if !ok || st.CriticalNs <= 0 {
			continue
		}
		why := fmt.Sprintf("%s of the %s critical path is %s's own work", time.Duration(st.CriticalNs), time.Duration(p.DurationNs), st.Name)
		out = append(out, spanCandidate(g.Node(i), float64(st.CriticalNs)/float64(p.DurationNs), why))
	}
	return out
}

// spanCandidate locates a span by the OpenTelemetry code attributes (old
// and new semantic conventions), else by its name.
func spanCandidate(n *epg.Node, score float64, why string) Candidate {
	c := Candidate{Function: n.Name, Score: round(score), Why: why, Node: n.ID}
	for _, k := range []string{"code.function.name", "code.function"} {
		if v := n.Attrs.Str(k); v != "" {
			c.Function = v
			if ns := n.Attrs.Str("code.namespace"); ns != "" {
				c.Function = ns + "." + v
			}
			break
		}
	}
	for _, k := range []string{"code.file.path", "code.filepath"} {
		if v := n.Attrs.Str(k); v != "" {
			c.File = v
		}
	}
	for _, k := range []string{"code.line.number", "code.lineno"} {
		if v, ok := n.Attr(k); ok {
			c.Line = int(v.IntVal())
		}
	}
	if n.Loc != nil && c.File == "" {
		c.File, c.Line = n.Loc.File, n.Loc.Line
	}
	return c
}

// impact says how often and where the incident happened.
func impact(v *inspect.View) string {
	in := v.Incident
	where := in.Service
	if in.Endpoint != "" {
		where += " " + in.Endpoint
	}
	if where == "" {
		where = "unknown service"
	}
	traces := map[string]bool{}
	for _, o := range v.Occurrences {
		if o.TraceID != "" {
			traces[o.TraceID] = true
		}
	}
	s := fmt.Sprintf("%d occurrence(s) in %s", in.Count, where)
	if len(traces) > 0 {
		s += fmt.Sprintf(" across %d trace(s)", len(traces))
	}
	if in.FirstSeen > 0 && in.LastSeen >= in.FirstSeen {
		s += fmt.Sprintf(", first %s, last %s", time.Unix(0, in.FirstSeen).UTC().Format(time.RFC3339), time.Unix(0, in.LastSeen).UTC().Format(time.RFC3339))
	}
	return s
}

// slice is the subgraph the report rests on: the failure, its evidence
// and the candidates, with the edges among them.
func slice(g *epg.Graph, start int32, ev []inspect.Evidence, cands []Candidate) Slice {
	s := Slice{Nodes: []string{}, Edges: []SliceEdge{}}
	in := map[int32]bool{}
	add := func(id string) {
		i, ok := g.Lookup(id)
		if !ok || in[i] {
			return
		}
		if len(in) == MaxSliceNodes {
			s.OmittedNodes++
			return
		}
		in[i] = true
		s.Nodes = append(s.Nodes, id)
	}
	add(g.Node(start).ID)
	for _, c := range cands {
		add(c.Node)
	}
	for _, e := range ev {
		add(e.Node)
	}
	for i := range in {
		for _, e := range g.Out(i) {
			if _, to := g.Ends(e); in[to] {
				s.Edges = append(s.Edges, SliceEdge{From: g.Node(i).ID, To: g.Node(to).ID, Kind: g.Edge(e).Kind.String()})
			}
		}
	}
	slices.SortFunc(s.Edges, func(a, b SliceEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
	})
	return s
}
