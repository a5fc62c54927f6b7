package epg_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// randomGraph builds a graph of n nodes and about m edges of a few kinds,
// with duplicates, self-loops and dangling edges thrown in.
func randomGraph(r *rand.Rand, n, m int) *epg.Graph {
	b := epg.NewBuilder()
	for i := range n {
		b.AddNode(epg.Node{ID: fmt.Sprintf("n%d", i), Kind: epg.KindFrame})
	}
	kinds := []epg.EdgeKind{epg.EdgeCall, epg.EdgeWaits, epg.EdgeHolds}
	for range m {
		from, to := fmt.Sprintf("n%d", r.IntN(n)), fmt.Sprintf("n%d", r.IntN(n))
		if r.IntN(20) == 0 {
			to = "missing"
		}
		b.AddEdge(epg.Edge{From: from, To: to, Kind: kinds[r.IntN(len(kinds))]})
	}
	return b.Build()
}

// checkCSR compares the graph's compact adjacency with one computed naively
// from its edge list.
func checkCSR(t *testing.T, g *epg.Graph) {
	t.Helper()
	n := g.NumNodes()
	out := make([][]int32, n)
	in := make([][]int32, n)
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		ed := g.Edge(e)
		from, to := g.Ends(e)
		if g.Node(from).ID != ed.From || g.Node(to).ID != ed.To {
			t.Fatalf("edge %d: ends %d→%d do not match IDs %s→%s", e, from, to, ed.From, ed.To)
		}
		out[from] = append(out[from], e)
		in[to] = append(in[to], e)
	}
	for i := int32(0); int(i) < n; i++ {
		if got := g.Out(i); !slices.Equal(got, out[i]) && len(got)+len(out[i]) > 0 {
			t.Fatalf("Out(%d) = %v, want %v", i, got, out[i])
		}
		if got := g.In(i); !slices.Equal(got, in[i]) && len(got)+len(in[i]) > 0 {
			t.Fatalf("In(%d) = %v, want %v", i, got, in[i])
		}
		for _, k := range []epg.EdgeKind{epg.EdgeCall, epg.EdgeWaits, epg.EdgeHolds, epg.EdgeRef} {
			var kids, parents []int32
			for _, e := range out[i] {
				if g.Edge(e).Kind == k {
					_, to := g.Ends(e)
					kids = append(kids, to)
				}
			}
			for _, e := range in[i] {
				if g.Edge(e).Kind == k {
					from, _ := g.Ends(e)
					parents = append(parents, from)
				}
			}
			if got := g.Children(i, k); !slices.Equal(got, kids) {
				t.Fatalf("Children(%d, %v) = %v, want %v", i, k, got, kids)
			}
			if got := g.Parents(i, k); !slices.Equal(got, parents) {
				t.Fatalf("Parents(%d, %v) = %v, want %v", i, k, got, parents)
			}
		}
		if j, ok := g.Lookup(g.Node(i).ID); !ok || j != i {
			t.Fatalf("Lookup(%s) = %d %v, want %d", g.Node(i).ID, j, ok, i)
		}
	}
}

func TestCSRMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 200 {
		n := 1 + r.IntN(40)
		g := randomGraph(r, n, r.IntN(4*n))
		t.Run(fmt.Sprint(iter), func(t *testing.T) { checkCSR(t, g) })
	}
}

// bfs is the reference walk: shortest-path depths over followed edges.
func bfs(g *epg.Graph, starts []int32, dir epg.Direction, follow func(int32) bool) map[int32]int {
	depth := map[int32]int{}
	var queue []int32
	for _, s := range starts {
		if _, ok := depth[s]; !ok {
			depth[s] = 0
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		for e := int32(0); int(e) < g.NumEdges(); e++ {
			if follow != nil && !follow(e) {
				continue
			}
			from, to := g.Ends(e)
			var next int32 = -1
			if dir&epg.Forward != 0 && from == x {
				next = to
			}
			if _, ok := depth[next]; next >= 0 && !ok {
				depth[next] = depth[x] + 1
				queue = append(queue, next)
			}
			next = -1
			if dir&epg.Backward != 0 && to == x {
				next = from
			}
			if _, ok := depth[next]; next >= 0 && !ok {
				depth[next] = depth[x] + 1
				queue = append(queue, next)
			}
		}
	}
	return depth
}

func TestWalkMatchesBFS(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 200 {
		n := 1 + r.IntN(30)
		g := randomGraph(r, n, r.IntN(3*n))
		starts := []int32{int32(r.IntN(n)), int32(r.IntN(n))}
		dir := []epg.Direction{epg.Forward, epg.Backward, epg.Both}[r.IntN(3)]
		var follow func(int32) bool
		if r.IntN(2) == 0 {
			follow = func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCall }
		}
		want := bfs(g, starts, dir, follow)
		got := map[int32]int{}
		last := 0
		g.Walk(starts, dir, follow, func(n int32, d int) bool {
			if _, dup := got[n]; dup {
				t.Fatalf("iter %d: node %d visited twice", iter, n)
			}
			if d < last {
				t.Fatalf("iter %d: depth went from %d back to %d; not breadth-first", iter, last, d)
			}
			last = d
			got[n] = d
			return true
		})
		if len(got) != len(want) {
			t.Fatalf("iter %d: visited %v, want %v", iter, got, want)
		}
		for k, d := range want {
			if got[k] != d {
				t.Fatalf("iter %d: depth[%d] = %d, want %d", iter, k, got[k], d)
			}
		}
	}
}

// walkGraph is e -call-> a -call-> b -call-> c, a -emits-> d, d -ref-> c.
func walkGraph(t *testing.T) (*epg.Graph, func(string) int32) {
	b := epg.NewBuilder()
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		b.AddNode(epg.Node{ID: id})
	}
	b.AddEdge(epg.Edge{From: "e", To: "a", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "a", To: "b", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "b", To: "c", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "a", To: "d", Kind: epg.EdgeEmits})
	b.AddEdge(epg.Edge{From: "d", To: "c", Kind: epg.EdgeRef})
	g := b.Build()
	return g, func(id string) int32 { return mustLookup(t, g, id) }
}

func walkNames(g *epg.Graph, starts []int32, dir epg.Direction, follow func(int32) bool, stopAt string) map[string]int {
	got := map[string]int{}
	g.Walk(starts, dir, follow, func(n int32, d int) bool {
		got[g.Node(n).ID] = d
		return g.Node(n).ID != stopAt
	})
	return got
}

func TestWalk(t *testing.T) {
	g, id := walkGraph(t)
	callOnly := func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCall }
	tests := []struct {
		name   string
		starts []int32
		dir    epg.Direction
		follow func(int32) bool
		stopAt string
		want   map[string]int
	}{
		{"forward", []int32{id("a")}, epg.Forward, nil, "", map[string]int{"a": 0, "b": 1, "d": 1, "c": 2}},
		{"backward", []int32{id("c")}, epg.Backward, nil, "", map[string]int{"c": 0, "b": 1, "d": 1, "a": 2, "e": 3}},
		{"both", []int32{id("d")}, epg.Both, nil, "", map[string]int{"d": 0, "a": 1, "c": 1, "b": 2, "e": 2}},
		{"follow", []int32{id("a")}, epg.Forward, callOnly, "", map[string]int{"a": 0, "b": 1, "c": 2}},
		{"follow backward", []int32{id("c")}, epg.Backward, callOnly, "", map[string]int{"c": 0, "b": 1, "a": 2, "e": 3}},
		{"stop", []int32{id("e")}, epg.Forward, nil, "a", map[string]int{"e": 0, "a": 1}},
		{"stop below b only", []int32{id("a")}, epg.Forward, nil, "b", map[string]int{"a": 0, "b": 1, "d": 1, "c": 2}},
		{"stop at start", []int32{id("a")}, epg.Both, nil, "a", map[string]int{"a": 0}},
		{"many starts", []int32{id("b"), id("d"), id("b")}, epg.Forward, nil, "", map[string]int{"b": 0, "d": 0, "c": 1}},
		{"no starts", nil, epg.Both, nil, "", map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := walkNames(g, tt.starts, tt.dir, tt.follow, tt.stopAt)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// checkCycle verifies that cycle is a simple directed cycle of kind k, in
// edge order.
func checkCycle(t *testing.T, g *epg.Graph, k epg.EdgeKind, cycle []int32) {
	t.Helper()
	seen := map[int32]bool{}
	for i, n := range cycle {
		if seen[n] {
			t.Fatalf("cycle %v repeats node %d", cycle, n)
		}
		seen[n] = true
		next := cycle[(i+1)%len(cycle)]
		if !slices.Contains(g.Children(n, k), next) {
			t.Fatalf("cycle %v: no %v edge %d→%d", cycle, k, n, next)
		}
	}
}

// hasCycle is the reference: Kahn's algorithm over edges of kind k.
func hasCycle(g *epg.Graph, k epg.EdgeKind) bool {
	n := g.NumNodes()
	indeg := make([]int, n)
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		if g.Edge(e).Kind == k {
			_, to := g.Ends(e)
			indeg[to]++
		}
	}
	var queue []int32
	for i := range n {
		if indeg[i] == 0 {
			queue = append(queue, int32(i))
		}
	}
	done := 0
	for len(queue) > 0 {
		x := queue[0]
		queue = queue[1:]
		done++
		for _, c := range g.Children(x, k) {
			if indeg[c]--; indeg[c] == 0 {
				queue = append(queue, c)
			}
		}
	}
	return done < n
}

func TestFindCycle(t *testing.T) {
	b := epg.NewBuilder()
	for _, id := range []string{"t1", "t2", "l1", "l2", "x", "y", "z"} {
		b.AddNode(epg.Node{ID: id})
	}
	// A lock cycle through alternating kinds is not a cycle of either kind.
	b.AddEdge(epg.Edge{From: "t1", To: "l1", Kind: epg.EdgeHolds})
	b.AddEdge(epg.Edge{From: "l1", To: "t2", Kind: epg.EdgeWaits})
	b.AddEdge(epg.Edge{From: "t2", To: "l2", Kind: epg.EdgeHolds})
	b.AddEdge(epg.Edge{From: "l2", To: "t1", Kind: epg.EdgeWaits})
	// A call cycle x→y→z→x and a ref back-edge z→y.
	b.AddEdge(epg.Edge{From: "x", To: "y", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "y", To: "z", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "z", To: "x", Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: "z", To: "y", Kind: epg.EdgeRef})
	b.AddEdge(epg.Edge{From: "t1", To: "t1", Kind: epg.EdgeHappensBefore})
	g := b.Build()

	for _, k := range []epg.EdgeKind{epg.EdgeHolds, epg.EdgeWaits, epg.EdgeRef, epg.EdgeEmits} {
		if c := g.FindCycle(k); c != nil {
			t.Errorf("FindCycle(%v) = %v, want nil", k, c)
		}
	}
	c := g.FindCycle(epg.EdgeCall)
	if len(c) != 3 {
		t.Fatalf("FindCycle(call) = %v, want 3 nodes", c)
	}
	checkCycle(t, g, epg.EdgeCall, c)
	c = g.FindCycle(epg.EdgeHappensBefore)
	if len(c) != 1 || g.Node(c[0]).ID != "t1" {
		t.Errorf("self-loop cycle = %v", c)
	}
}

func TestFindCycleDeadlock(t *testing.T) {
	// The wait-for graph of a deadlock: each thread waits for the next.
	b := epg.NewBuilder()
	ids := []string{"g1", "g2", "g3", "g4"}
	for _, id := range ids {
		b.AddNode(epg.Node{ID: id, Kind: epg.KindThread})
	}
	b.AddNode(epg.Node{ID: "bystander", Kind: epg.KindThread})
	b.AddEdge(epg.Edge{From: "bystander", To: "g1", Kind: epg.EdgeWaits})
	for i, id := range ids {
		b.AddEdge(epg.Edge{From: id, To: ids[(i+1)%len(ids)], Kind: epg.EdgeWaits})
	}
	g := b.Build()
	c := g.FindCycle(epg.EdgeWaits)
	if len(c) != 4 {
		t.Fatalf("cycle = %v, want the 4 threads", c)
	}
	checkCycle(t, g, epg.EdgeWaits, c)
}

func TestFindCycleMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 500 {
		n := 1 + r.IntN(15)
		g := randomGraph(r, n, r.IntN(2*n))
		for _, k := range []epg.EdgeKind{epg.EdgeCall, epg.EdgeWaits} {
			c := g.FindCycle(k)
			if (c != nil) != hasCycle(g, k) {
				t.Fatalf("iter %d: FindCycle(%v) = %v, reference says cyclic=%v", iter, k, c, hasCycle(g, k))
			}
			if c != nil {
				checkCycle(t, g, k, c)
			}
		}
	}
}

func TestSubgraph(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 100 {
		n := 1 + r.IntN(30)
		g := randomGraph(r, n, r.IntN(3*n))
		keep := map[string]bool{}
		for i := range n {
			if r.IntN(2) == 0 {
				keep[fmt.Sprintf("n%d", i)] = true
			}
		}
		sub := g.Subgraph(func(n *epg.Node) bool { return keep[n.ID] })
		if sub.NumNodes() != len(keep) {
			t.Fatalf("iter %d: %d nodes, want %d", iter, sub.NumNodes(), len(keep))
		}
		want := map[string]bool{}
		for e := int32(0); int(e) < g.NumEdges(); e++ {
			ed := g.Edge(e)
			if keep[ed.From] && keep[ed.To] {
				want[ed.From+ed.Kind.String()+ed.To] = true
			}
		}
		if sub.NumEdges() != len(want) {
			t.Fatalf("iter %d: %d edges, want %d induced", iter, sub.NumEdges(), len(want))
		}
		for e := int32(0); int(e) < sub.NumEdges(); e++ {
			ed := sub.Edge(e)
			if !want[ed.From+ed.Kind.String()+ed.To] {
				t.Fatalf("iter %d: edge %v not induced", iter, ed)
			}
		}
		if sub.Unresolved() != 0 {
			t.Errorf("Unresolved = %d", sub.Unresolved())
		}
		checkCSR(t, sub)
		checkCSR(t, g) // the parent is untouched
	}
}

func TestSubgraphKeepsMetadataNotJoins(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Source: "s1", Skews: []epg.Skew{{Service: "api", Error: 3}},
		Nodes: []epg.Node{span("t", "s", "api", 10, 20), logEvent("log", "", "", "api", 15), {ID: "other"}}})
	g := b.Build()
	if g.NumEdges() != 1 {
		t.Fatalf("time join missing: %d edges", g.NumEdges())
	}
	sub := g.Subgraph(func(n *epg.Node) bool { return n.ID != "log" })
	if sub.NumNodes() != 2 || sub.NumEdges() != 0 {
		t.Errorf("sub: %d nodes %d edges", sub.NumNodes(), sub.NumEdges())
	}
	if s, ok := sub.SkewOf("api"); !ok || s.Error != 3 {
		t.Errorf("skew lost: %+v", s)
	}
	if got := sub.Sources(); len(got) != 1 || got[0] != "s1" {
		t.Errorf("sources = %v", got)
	}
	none := g.Subgraph(func(*epg.Node) bool { return false })
	if none.NumNodes() != 0 || none.NumEdges() != 0 {
		t.Errorf("empty subgraph: %d nodes", none.NumNodes())
	}
}

func TestNodesIterator(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Nodes: []epg.Node{
		{ID: "a", Kind: epg.KindSpan}, {ID: "b", Kind: epg.KindEvent}, {ID: "c", Kind: epg.KindSpan}, {ID: "d", Kind: epg.KindSpan},
	}})
	g := b.Build()
	var all, spans []string
	g.Nodes(epg.KindUnspecified, func(_ int32, n *epg.Node) bool { all = append(all, n.ID); return true })
	g.Nodes(epg.KindSpan, func(_ int32, n *epg.Node) bool { spans = append(spans, n.ID); return len(spans) < 2 })
	if fmt.Sprint(all) != "[a b c d]" || fmt.Sprint(spans) != "[a c]" {
		t.Errorf("all = %v, spans = %v", all, spans)
	}
	f := g.Fragment()
	if len(f.Nodes) != 4 || len(f.Edges) != 0 {
		t.Errorf("Fragment: %d nodes", len(f.Nodes))
	}
}
