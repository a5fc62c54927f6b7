package slice_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/slice"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/godump"
)

// chain builds the graph main → handler → load → (emits) npe, plus an
// unrelated callee of handler and a log correlated with a span.
func chain(t *testing.T) *epg.Graph {
	t.Helper()
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{
			{ID: "main", Kind: epg.KindFrame, Name: "main"},
			{ID: "handler", Kind: epg.KindFrame, Name: "handler"},
			{ID: "load", Kind: epg.KindFrame, Name: "load"},
			{ID: "npe", Kind: epg.KindEvent, Name: "NullPointerException"},
			{ID: "other", Kind: epg.KindFrame, Name: "other"},
			{ID: "span", Kind: epg.KindSpan, Name: "GET /"},
			{ID: "log", Kind: epg.KindEvent, Name: "log"},
		},
		Edges: []epg.Edge{
			{From: "main", To: "handler", Kind: epg.EdgeCall},
			{From: "handler", To: "load", Kind: epg.EdgeCall},
			{From: "load", To: "npe", Kind: epg.EdgeEmits},
			{From: "handler", To: "other", Kind: epg.EdgeCall},
			{From: "span", To: "npe", Kind: epg.EdgeEmits},
			{From: "span", To: "log", Kind: epg.EdgeEmits},
			{From: "log", To: "span", Kind: epg.EdgeCorrelates},
			{From: "span", To: "span", Kind: epg.EdgeCorrelates}, // a self-loop
		},
	})
	return b.Build()
}

func idx(t *testing.T, g *epg.Graph, ids ...string) []int32 {
	t.Helper()
	var out []int32
	for _, id := range ids {
		i, ok := g.Lookup(id)
		if !ok {
			t.Fatalf("no node %q", id)
		}
		out = append(out, i)
	}
	return out
}

func ids(g *epg.Graph, xs []int32) string {
	var out []string
	for _, i := range xs {
		out = append(out, g.Node(i).ID)
	}
	return strings.Join(out, " ")
}

func edgeIDs(g *epg.Graph, xs []int32) string {
	var out []string
	for _, e := range xs {
		ed := g.Edge(e)
		out = append(out, ed.From+"-"+ed.Kind.String()+"->"+ed.To)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

func TestBackwardOptions(t *testing.T) {
	g := chain(t)
	npe := idx(t, g, "npe")
	is := func(id string) func(int32) bool { return func(i int32) bool { return g.Node(i).ID == id } }
	for _, c := range []struct {
		name  string
		opts  slice.Options
		nodes string
		depth []int32
		stops string
		cut   slice.Cut
	}{
		{name: "all", nodes: "npe load span handler log main", depth: []int32{0, 1, 1, 2, 2, 3}},
		{name: "depth", opts: slice.Options{MaxDepth: 2}, nodes: "npe load span handler log", cut: slice.Cut{Depth: 1}},
		{name: "limit", opts: slice.Options{MaxNodes: 3}, nodes: "npe load span", cut: slice.Cut{Limit: 2}},
		{name: "stop", opts: slice.Options{Stop: is("handler")}, nodes: "npe load span handler log", stops: "handler"},
		{name: "stop at start", opts: slice.Options{Stop: is("npe")}, nodes: "npe load span handler log main"},
		{name: "through", opts: slice.Options{Through: func(i int32) bool { return g.Node(i).ID != "load" }}, nodes: "npe span log", cut: slice.Cut{Filtered: 1}},
		{name: "kinds", opts: slice.Options{Kinds: slice.Kinds(epg.KindFrame)}, nodes: "npe load handler main", cut: slice.Cut{Filtered: 1}},
		{name: "stop beats through", opts: slice.Options{Kinds: slice.Kinds(epg.KindEvent), Stop: is("load")}, nodes: "npe load", stops: "load", cut: slice.Cut{Filtered: 1}},
		{name: "rules", opts: slice.Options{Rules: slice.BackwardRules(epg.EdgeEmits)}, nodes: "npe load span"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := slice.Backward(g, npe, c.opts)
			if got := ids(g, res.Nodes); got != c.nodes {
				t.Errorf("nodes = %s, want %s", got, c.nodes)
			}
			if c.depth != nil && !slices.Equal(res.Depth, c.depth) {
				t.Errorf("depth = %v, want %v", res.Depth, c.depth)
			}
			if got := ids(g, res.Stops); got != c.stops {
				t.Errorf("stops = %q, want %q", got, c.stops)
			}
			if res.Cut != c.cut {
				t.Errorf("cut = %+v, want %+v", res.Cut, c.cut)
			}
			checkEdges(t, g, res)
		})
	}
}

// checkEdges checks that a result's edges are distinct and join nodes of
// the result.
func checkEdges(t *testing.T, g *epg.Graph, res *slice.Result) {
	t.Helper()
	in := map[int32]bool{}
	for _, n := range res.Nodes {
		in[n] = true
	}
	seen := map[int32]bool{}
	for _, e := range res.Edges {
		if seen[e] {
			t.Fatalf("edge %s twice", edgeIDs(g, []int32{e}))
		}
		seen[e] = true
		if from, to := g.Ends(e); !in[from] || !in[to] {
			t.Fatalf("edge %s leaves the slice", edgeIDs(g, []int32{e}))
		}
	}
}

func TestEdgesBothWaysOnce(t *testing.T) {
	g := chain(t)
	res := slice.Backward(g, idx(t, g, "log"), slice.Options{})
	want := "span-correlates->span span-emits->log log-correlates->span"
	if got := edgeIDs(g, res.Edges); got != strings.Join(sortedWords(want), " ") {
		t.Errorf("edges = %s, want %s", got, want)
	}
	fwd := slice.Forward(g, idx(t, g, "main"), slice.Options{})
	if got := ids(g, fwd.Nodes); got != "main handler load other npe" {
		t.Errorf("forward = %s", got)
	}
	checkEdges(t, g, fwd)
}

func sortedWords(s string) []string {
	w := strings.Fields(s)
	slices.Sort(w)
	return w
}

func TestStarts(t *testing.T) {
	g := chain(t)
	res := slice.Backward(g, []int32{-1, 3, 3, 99, 2}, slice.Options{MaxDepth: 1})
	if res.Nodes[0] != 3 || res.Nodes[1] != 2 || res.Depth[1] != 0 {
		t.Errorf("starts not kept in order without duplicates: %v %v", res.Nodes, res.Depth)
	}
	if res := slice.Backward(g, nil, slice.Options{}); len(res.Nodes) != 0 {
		t.Errorf("no starts gave %v", res.Nodes)
	}
}

// TestWalkerReuse runs a walker past its epoch wrap-around and checks that
// every walk sees a clean slate.
func TestWalkerReuse(t *testing.T) {
	g := chain(t)
	w := slice.NewWalker(g)
	c := w.Clone()
	want := ids(g, w.Backward(idx(t, g, "npe"), slice.Options{}).Nodes)
	for i := range 20000 {
		start := int32(i % g.NumNodes())
		w.Forward([]int32{start}, slice.Options{MaxDepth: i % 3})
		if i%997 == 0 {
			if got := ids(g, w.Backward(idx(t, g, "npe"), slice.Options{}).Nodes); got != want {
				t.Fatalf("walk %d: %s, want %s", i, got, want)
			}
			if got := ids(g, c.Backward(idx(t, g, "npe"), slice.Options{}).Nodes); got != want {
				t.Fatalf("clone, walk %d: %s, want %s", i, got, want)
			}
		}
	}
}

// TestBoundsProperties walks a generated graph under varied bounds and
// checks what holds for every slice: it is a prefix of the unbounded walk
// (same order), edges are distinct and inside, depths never decrease, and
// the bounds hold.
func TestBoundsProperties(t *testing.T) {
	gg := generate(genSize{traces: 40, services: 2, threads: 3, locks: 2, seed: 9})
	g := gg.g
	w := slice.NewWalker(g)
	for i := int32(0); i < int32(g.NumNodes()); i += 131 {
		full := w.Backward([]int32{i}, slice.Options{})
		again := w.Backward([]int32{i}, slice.Options{})
		if !slices.Equal(full.Nodes, again.Nodes) || !slices.Equal(full.Edges, again.Edges) {
			t.Fatalf("walk from %d is not deterministic", i)
		}
		for _, limit := range []int{1, 5, 50} {
			res := w.Backward([]int32{i}, slice.Options{MaxNodes: limit})
			if len(res.Nodes) > limit || !slices.Equal(res.Nodes, full.Nodes[:len(res.Nodes)]) {
				t.Fatalf("limit %d from %d: %v is not a prefix of %v", limit, i, res.Nodes, full.Nodes)
			}
			if len(res.Nodes) < len(full.Nodes) && res.Cut.Limit == 0 {
				t.Fatalf("limit %d from %d cut nothing", limit, i)
			}
			checkEdges(t, g, res)
		}
		for _, depth := range []int{1, 2, 4} {
			res := w.Backward([]int32{i}, slice.Options{MaxDepth: depth})
			for j, d := range res.Depth {
				if int(d) > depth || j > 0 && d < res.Depth[j-1] {
					t.Fatalf("depth %d from %d: bad depths %v", depth, i, res.Depth)
				}
			}
			var want int
			for _, d := range full.Depth {
				if int(d) <= depth {
					want++
				}
			}
			if len(res.Nodes) != want {
				t.Fatalf("depth %d from %d: %d nodes, want %d", depth, i, len(res.Nodes), want)
			}
			checkEdges(t, g, res)
		}
	}
}

// TestDeadlockSlice slices a real Go deadlock dump back from the runtime's
// verdict: both blocked goroutines, the locks each waits for and holds,
// and their stacks.
func TestDeadlockSlice(t *testing.T) {
	path := filepath.Join(evidencetest.RepoRoot(), "internal/evidence/godump/testdata/deadlock_abba.txt")
	b := epg.NewBuilder()
	b.Add(evidencetest.Decode(t, &godump.DumpDecoder{}, path))
	g := b.Build()
	var verdict int32 = -1
	g.Nodes(epg.KindEvent, func(i int32, n *epg.Node) bool {
		if n.EventType() == epg.EventDeadlock {
			verdict = i
		}
		return verdict < 0
	})
	if verdict < 0 {
		t.Fatal("no deadlock event")
	}
	locks := slice.Backward(g, []int32{verdict}, slice.Options{Rules: slice.BackwardRules(epg.EdgeEmits, epg.EdgeWaits, epg.EdgeHolds)})
	var names []string
	for _, n := range locks.Nodes {
		nd := g.Node(n)
		if nd.Kind == epg.KindLock {
			names = append(names, nd.Attrs.Str(epg.AttrLockAddr))
		} else {
			names = append(names, nd.Name)
		}
	}
	want := []string{"fatal error", "goroutine 1", "goroutine 6", "goroutine 7", "0x353a62e300a8", "0x353a62e30090"}
	if !slices.Equal(names, want) {
		t.Errorf("lock slice = %q, want %q", names, want)
	}
	full := slice.Backward(g, []int32{verdict}, slice.Options{})
	frames := 0
	for _, n := range full.Nodes {
		if g.Node(n).Kind == epg.KindFrame {
			frames++
		}
	}
	if frames != 17 || len(full.Nodes) != g.NumNodes() {
		t.Errorf("full slice: %d nodes (%d frames), want all %d", len(full.Nodes), frames, g.NumNodes())
	}
	// Stopping at the locks keeps them but not what lies behind only them.
	stop := slice.Backward(g, []int32{verdict}, slice.Options{
		Rules: slice.BackwardRules(epg.EdgeWaits, epg.EdgeHolds),
		Stop:  func(i int32) bool { return g.Node(i).Kind == epg.KindLock },
	})
	if len(stop.Nodes) != 1 {
		t.Errorf("without emits the verdict reaches nothing, got %s", ids(g, stop.Nodes))
	}
}
