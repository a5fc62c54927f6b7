package slice

import "github.com/tagdebug/tag/epg"

// adjacency lays the graph's CSR lists out for walking: the out- and
// in-edges of node u are slots[off[u]:off[u+1]], each an 8-byte slot
// holding the neighbour, the edge and its kind tagged with the direction,
// so that expanding a node reads one short run of memory and crossing an
// edge touches nothing else but the neighbour's mark.
type adjacency struct {
	off   []int32
	slots []slot
	// wide holds the edge of each slot when edge indexes do not fit in a
	// slot (graphs of 2^26 edges or more).
	wide []int32
}

type slot struct {
	nbr int32
	// ek is the edge index << kdBits | the tagged kind.
	ek uint32
}

// A slot's tagged kind: the edge kind in the low bits, inBit set on
// in-edge slots. Kinds beyond kindMask are never followed.
const (
	kdBits   = 6
	inBit    = 1 << (kdBits - 1)
	kindMask = inBit - 1
	kdMask   = 1<<kdBits - 1
	maxEdges = 1 << (32 - kdBits)
)

func (s slot) kd() uint8 { return uint8(s.ek & kdMask) }

func tagKind(k epg.EdgeKind) uint32 {
	if k > kindMask {
		return 0 // unspecified: no rule names it
	}
	return uint32(k)
}

func newAdjacency(g *epg.Graph) *adjacency {
	n, m := g.NumNodes(), g.NumEdges()
	a := &adjacency{off: make([]int32, n+1), slots: make([]slot, 0, 2*m)}
	wide := m >= maxEdges
	if wide {
		a.wide = make([]int32, 0, 2*m)
	}
	add := func(nbr, e int32, kd uint32) {
		if wide {
			a.wide = append(a.wide, e)
			e = 0
		}
		a.slots = append(a.slots, slot{nbr: nbr, ek: uint32(e)<<kdBits | kd})
	}
	for i := range int32(n) {
		for _, e := range g.Out(i) {
			_, to := g.Ends(e)
			add(to, e, tagKind(g.Edge(e).Kind))
		}
		for _, e := range g.In(i) {
			from, _ := g.Ends(e)
			if from == i {
				continue // a self-loop is crossed once, as an out-edge
			}
			add(from, e, tagKind(g.Edge(e).Kind)|inBit)
		}
		a.off[i+1] = int32(len(a.slots))
	}
	return a
}

// edge returns the edge of slot j.
func (a *adjacency) edge(j int32) int32 {
	if a.wide != nil {
		return a.wide[j]
	}
	return int32(a.slots[j].ek >> kdBits)
}
