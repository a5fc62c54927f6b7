package cohort

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/tagdebug/tag/epg"
)

// ErrNoTrace is returned when a graph holds no span of the requested trace.
var ErrNoTrace = errors.New("cohort: no spans of that trace")

// Span is one span of a [Trace].
type Span struct {
	// Node is the span's node index in the trace's graph.
	Node int32
	// Parent is the index in Trace.Spans of the span's call parent, or -1
	// for a root.
	Parent int
	// Type is the span's service and normalised operation (see [TypeOf]).
	Type string
	// Path is the Types from the root down to this span, joined by
	// [PathSep]: the span's place in a normalised call tree.
	Path  string
	Depth int
	// Self is the span's duration not covered by any of its children, in
	// nanoseconds: the time it spent itself rather than waiting on them.
	Self int64
}

// PathSep joins the types of a call path.
const PathSep = " > "

// Trace is one distributed trace as a call tree.
type Trace struct {
	Graph *epg.Graph
	ID    string
	// Spans is in depth-first pre-order: every span after its parent,
	// siblings by start time, then type, then node ID. The earliest root
	// comes first; a partial trace (a parent sampled out) has more roots.
	Spans []Span
}

// Node returns the node of span s.
func (t *Trace) Node(s int) *epg.Node { return t.Graph.Node(t.Spans[s].Node) }

// Root returns the node of the trace's first root span.
func (t *Trace) Root() *epg.Node { return t.Node(0) }

// Load returns the trace traceID of g.
func Load(g *epg.Graph, traceID string) (*Trace, error) {
	var idx []int32
	g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		if n.Trace.TraceID == traceID {
			idx = append(idx, i)
		}
		return true
	})
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoTrace, traceID)
	}
	return build(g, traceID, idx), nil
}

// LoadAll returns every trace of g, sorted by trace ID.
func LoadAll(g *epg.Graph) []*Trace {
	byTrace := map[string][]int32{}
	var ids []string
	g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		id := n.Trace.TraceID
		if id == "" {
			return true
		}
		if _, ok := byTrace[id]; !ok {
			ids = append(ids, id)
		}
		byTrace[id] = append(byTrace[id], i)
		return true
	})
	slices.Sort(ids)
	out := make([]*Trace, len(ids))
	for k, id := range ids {
		out[k] = build(g, id, byTrace[id])
	}
	return out
}

// build orders the spans idx of one trace into a call tree.
func build(g *epg.Graph, id string, idx []int32) *Trace {
	local := make(map[int32]int, len(idx))
	for k, i := range idx {
		local[i] = k
	}
	types := make([]string, len(idx))
	children := make([][]int, len(idx))
	var roots []int
	for k, i := range idx {
		types[k] = TypeOf(g.Node(i))
		p := callParent(g, i, local)
		if p < 0 {
			roots = append(roots, k)
		} else {
			children[p] = append(children[p], k)
		}
	}
	order := func(a, b int) int {
		na, nb := g.Node(idx[a]), g.Node(idx[b])
		return cmp.Or(cmp.Compare(na.Start, nb.Start), cmp.Compare(types[a], types[b]), cmp.Compare(na.ID, nb.ID))
	}
	slices.SortFunc(roots, order)
	for _, c := range children {
		slices.SortFunc(c, order)
	}
	t := &Trace{Graph: g, ID: id, Spans: make([]Span, 0, len(idx))}
	t.walk(idx, types, children, roots)
	return t
}

// callParent returns the local index of span i's call parent within the
// trace, or -1.
func callParent(g *epg.Graph, i int32, local map[int32]int) int {
	for _, e := range g.In(i) {
		if g.Edge(e).Kind != epg.EdgeCall {
			continue
		}
		from, _ := g.Ends(e)
		if k, ok := local[from]; ok {
			return k
		}
	}
	return -1
}

// walk appends the spans in pre-order. A span on a call cycle is never
// reached from a root and is left out.
func (t *Trace) walk(idx []int32, types []string, children [][]int, roots []int) {
	type item struct{ k, parent int }
	stack := make([]item, 0, len(roots))
	for r := len(roots) - 1; r >= 0; r-- {
		stack = append(stack, item{roots[r], -1})
	}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		s := Span{Node: idx[it.k], Parent: it.parent, Type: types[it.k], Path: types[it.k]}
		if it.parent >= 0 {
			p := &t.Spans[it.parent]
			s.Path, s.Depth = p.Path+PathSep+s.Type, p.Depth+1
		}
		me := len(t.Spans)
		t.Spans = append(t.Spans, s)
		t.Spans[me].Self = selfTime(t.Graph, idx[it.k], idx, children[it.k])
		for c := len(children[it.k]) - 1; c >= 0; c-- {
			stack = append(stack, item{children[it.k][c], me})
		}
	}
}
