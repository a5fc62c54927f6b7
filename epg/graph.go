package epg

// Graph is a frozen, merged EPG with compact forward and reverse adjacency.
// Nodes and edges are addressed by dense int32 indices; IDs map to indices
// through [Graph.Lookup]. A Graph is safe for concurrent reads.
type Graph struct {
	nodes      []Node
	index      map[string]int32
	edges      []Edge
	ends       []edgeEnds
	skews      []Skew
	sources    []string
	unresolved int

	// CSR adjacency: the edges leaving node i are outE[outOff[i]:outOff[i+1]],
	// the edges entering it inE[inOff[i]:inOff[i+1]].
	outOff, outE []int32
	inOff, inE   []int32
}

type edgeEnds struct{ from, to int32 }

func (g *Graph) buildCSR() {
	n := len(g.nodes)
	g.outOff = make([]int32, n+1)
	g.inOff = make([]int32, n+1)
	for _, e := range g.ends {
		g.outOff[e.from+1]++
		g.inOff[e.to+1]++
	}
	for i := 0; i < n; i++ {
		g.outOff[i+1] += g.outOff[i]
		g.inOff[i+1] += g.inOff[i]
	}
	g.outE = make([]int32, len(g.ends))
	g.inE = make([]int32, len(g.ends))
	outPos := append([]int32(nil), g.outOff[:n]...)
	inPos := append([]int32(nil), g.inOff[:n]...)
	for ei, e := range g.ends {
		g.outE[outPos[e.from]] = int32(ei)
		outPos[e.from]++
		g.inE[inPos[e.to]] = int32(ei)
		inPos[e.to]++
	}
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.nodes) }

// NumEdges returns the number of resolved edges.
func (g *Graph) NumEdges() int { return len(g.edges) }

// Node returns node i. The pointer stays valid for the graph's lifetime;
// callers must not modify it.
func (g *Graph) Node(i int32) *Node { return &g.nodes[i] }

// Lookup returns the index of the node with the given ID.
func (g *Graph) Lookup(id string) (int32, bool) {
	i, ok := g.index[id]
	return i, ok
}

// Edge returns edge e.
func (g *Graph) Edge(e int32) *Edge { return &g.edges[e] }

// Ends returns the indices of edge e's source and target nodes.
func (g *Graph) Ends(e int32) (from, to int32) { return g.ends[e].from, g.ends[e].to }

// Out returns the indices of the edges leaving node i.
func (g *Graph) Out(i int32) []int32 { return g.outE[g.outOff[i]:g.outOff[i+1]] }

// In returns the indices of the edges entering node i.
func (g *Graph) In(i int32) []int32 { return g.inE[g.inOff[i]:g.inOff[i+1]] }

// Skews returns the per-service clock-skew estimates, sorted by service.
func (g *Graph) Skews() []Skew { return g.skews }

// SkewOf returns the skew estimate for a service.
func (g *Graph) SkewOf(service string) (Skew, bool) {
	for _, s := range g.skews {
		if s.Service == service {
			return s, true
		}
	}
	return Skew{}, false
}

// Sources lists the fragments' sources in the order they were added.
func (g *Graph) Sources() []string { return g.sources }

// Unresolved counts edges dropped because a node they named never arrived
// (for example the parent of a span that was sampled out).
func (g *Graph) Unresolved() int { return g.unresolved }

// Nodes calls fn for each node of the given kind (KindUnspecified: all)
// until fn returns false.
func (g *Graph) Nodes(kind NodeKind, fn func(i int32, n *Node) bool) {
	for i := range g.nodes {
		if kind != KindUnspecified && g.nodes[i].Kind != kind {
			continue
		}
		if !fn(int32(i), &g.nodes[i]) {
			return
		}
	}
}

// Children returns the targets of node i's outgoing edges of kind k.
func (g *Graph) Children(i int32, k EdgeKind) []int32 {
	var out []int32
	for _, e := range g.Out(i) {
		if g.edges[e].Kind == k {
			out = append(out, g.ends[e].to)
		}
	}
	return out
}

// Parents returns the sources of node i's incoming edges of kind k.
func (g *Graph) Parents(i int32, k EdgeKind) []int32 {
	var out []int32
	for _, e := range g.In(i) {
		if g.edges[e].Kind == k {
			out = append(out, g.ends[e].from)
		}
	}
	return out
}

// Direction selects which way a walk follows edges.
type Direction uint8

// Walk directions.
const (
	Forward Direction = 1 << iota
	Backward
	Both = Forward | Backward
)

// Walk visits nodes breadth-first from starts, following edges in dir for
// which follow returns true (nil follows all). visit is called once per
// reached node with its depth; returning false stops the walk below it.
func (g *Graph) Walk(starts []int32, dir Direction, follow func(e int32) bool, visit func(n int32, depth int) bool) {
	seen := make([]bool, len(g.nodes))
	type item struct {
		n     int32
		depth int
	}
	queue := make([]item, 0, len(starts))
	for _, s := range starts {
		if !seen[s] {
			seen[s] = true
			queue = append(queue, item{s, 0})
		}
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if !visit(it.n, it.depth) {
			continue
		}
		step := func(edges []int32, forward bool) {
			for _, e := range edges {
				if follow != nil && !follow(e) {
					continue
				}
				next := g.ends[e].to
				if !forward {
					next = g.ends[e].from
				}
				if !seen[next] {
					seen[next] = true
					queue = append(queue, item{next, it.depth + 1})
				}
			}
		}
		if dir&Forward != 0 {
			step(g.Out(it.n), true)
		}
		if dir&Backward != 0 {
			step(g.In(it.n), false)
		}
	}
}

// FindCycle returns the nodes of one directed cycle made of edges of kind
// k, in order, or nil when there is none.
func (g *Graph) FindCycle(k EdgeKind) []int32 {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, len(g.nodes))
	parent := make([]int32, len(g.nodes))
	type frame struct {
		n   int32
		pos int32
	}
	for root := range g.nodes {
		if color[root] != white {
			continue
		}
		stack := []frame{{int32(root), 0}}
		color[root] = grey
		parent[root] = -1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			out := g.Out(top.n)
			if int(top.pos) >= len(out) {
				color[top.n] = black
				stack = stack[:len(stack)-1]
				continue
			}
			e := out[top.pos]
			top.pos++
			if g.edges[e].Kind != k {
				continue
			}
			next := g.ends[e].to
			switch color[next] {
			case white:
				color[next] = grey
				parent[next] = top.n
				stack = append(stack, frame{next, 0})
			case grey:
				cycle := []int32{next}
				for c := top.n; c != next && c >= 0; c = parent[c] {
					cycle = append(cycle, c)
				}
				// Reverse into edge order starting at next.
				for i, j := 1, len(cycle)-1; i < j; i, j = i+1, j-1 {
					cycle[i], cycle[j] = cycle[j], cycle[i]
				}
				return cycle
			}
		}
	}
	return nil
}

// Subgraph returns the graph induced by the nodes for which keep is true.
func (g *Graph) Subgraph(keep func(n *Node) bool) *Graph {
	b := NewBuilder()
	for i := range g.nodes {
		if keep(&g.nodes[i]) {
			b.AddNode(g.nodes[i])
		}
	}
	for ei, e := range g.ends {
		if _, ok := b.index[g.nodes[e.from].ID]; !ok {
			continue
		}
		if _, ok := b.index[g.nodes[e.to].ID]; !ok {
			continue
		}
		b.AddEdge(g.edges[ei])
	}
	b.skews = append(b.skews, g.skews...)
	b.sources = append(b.sources, g.sources...)
	sub := &Graph{nodes: b.nodes, index: b.index, edges: b.edges, skews: b.skews, sources: b.sources}
	sub.ends = make([]edgeEnds, len(b.edges))
	for i, e := range b.edges {
		sub.ends[i] = edgeEnds{b.index[e.From], b.index[e.To]}
	}
	sub.buildCSR()
	return sub
}

// Fragment returns the graph as a fragment (sharing its nodes and edges),
// for encoding.
func (g *Graph) Fragment() *Fragment {
	return &Fragment{Nodes: g.nodes, Edges: g.edges, Skews: g.skews}
}
