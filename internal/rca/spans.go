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
	// The nodes that join the others to the failure, so the slice reads
	// as one picture: a candidate frame of a captured goroutine reaches
	// the failing span through its thread and the capsule.
	for _, id := range connect(g, start, s.Nodes, MaxSliceNodes-len(in)) {
		add(id)
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

// Bounds of connect's searches: how far (in edges) a node is joined to
// the failure, and how many nodes one search may visit, so that a span
// with thousands of children costs no more than a small graph.
const (
	connectDepth = 4
	connectVisit = 4096
)

// connect returns the nodes on short paths (edges either way) that join
// each of nodes to start or to a node already joined, at most room of
// them, in the order found. A node with no such path within connectDepth
// stays apart.
func connect(g *epg.Graph, start int32, nodes []string, room int) []string {
	joined := map[int32]bool{start: true}
	var out []string
	for _, id := range nodes {
		from, ok := g.Lookup(id)
		if !ok || joined[from] {
			continue
		}
		path := pathToJoined(g, from, joined)
		if path == nil || len(out)+len(path)-2 > room {
			continue
		}
		for k, n := range path {
			joined[n] = true
			if k > 0 && k < len(path)-1 {
				out = append(out, g.Node(n).ID)
			}
		}
	}
	return out
}

// pathToJoined is a shortest path from from to any joined node, both
// ends included; nil when none is within the bounds.
func pathToJoined(g *epg.Graph, from int32, joined map[int32]bool) []int32 {
	parent := map[int32]int32{from: -1}
	frontier := []int32{from}
	for depth := 0; depth < connectDepth && len(frontier) > 0; depth++ {
		var next []int32
		for _, u := range frontier {
			for _, es := range [2][]int32{g.Out(u), g.In(u)} {
				for _, e := range es {
					a, b := g.Ends(e)
					v := a
					if a == u {
						v = b
					}
					if _, seen := parent[v]; seen {
						continue
					}
					parent[v] = u
					if joined[v] {
						var path []int32
						for n := v; n != -1; n = parent[n] {
							path = append(path, n)
						}
						slices.Reverse(path)
						return path
					}
					if len(parent) > connectVisit {
						return nil
					}
					next = append(next, v)
				}
			}
		}
		frontier = next
	}
	return nil
}
