package critpath

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// tree is the span tree below a root, laid out breadth-first: local
// index 0 is the root, and the children of span v are the local indices
// kidLo[v]..kidHi[v]-1, listed latest-ending first in order[kidLo[v]:
// kidHi[v]].
type tree struct {
	g            *epg.Graph
	nodes        []int32 // local → graph index
	start, end   []int64 // on the reference clock
	kidLo, kidHi []int32
	parent       []int32 // local; -1 for the root
	order        []int32
	skews        []epg.Skew
	async        int
}

func newTree(g *epg.Graph, root int32, skew bool) *tree {
	t := &tree{g: g, nodes: []int32{root}, parent: []int32{-1}}
	seen := make([]bool, g.NumNodes())
	seen[root] = true
	for head := 0; head < len(t.nodes); head++ {
		lo := len(t.nodes)
		for _, e := range g.Out(t.nodes[head]) {
			switch g.Edge(e).Kind {
			case epg.EdgeCall:
				if _, c := g.Ends(e); !seen[c] && g.Node(c).Kind == epg.KindSpan {
					seen[c] = true
					t.nodes = append(t.nodes, c)
					t.parent = append(t.parent, int32(head))
				}
			case epg.EdgeFollowsFrom:
				t.async++
			}
		}
		t.kidLo = append(t.kidLo, int32(lo))
		t.kidHi = append(t.kidHi, int32(len(t.nodes)))
	}
	t.times(skew)
	t.sortChildren()
	return t
}

// times puts every span on the reference clock. A span with no end, or
// one before its start, lasts no time.
func (t *tree) times(skew bool) {
	t.start = make([]int64, len(t.nodes))
	t.end = make([]int64, len(t.nodes))
	offsets := map[string]int64{}
	for v, i := range t.nodes {
		n := t.g.Node(i)
		off, ok := offsets[n.Service]
		if !ok && skew {
			if s, found := t.g.SkewOf(n.Service); found && s.Offset != 0 {
				off = s.Offset
				t.skews = append(t.skews, s)
			}
			offsets[n.Service] = off
		}
		t.start[v] = n.Start + off
		t.end[v] = max(n.End+off, t.start[v])
	}
	slices.SortFunc(t.skews, func(a, b epg.Skew) int { return strings.Compare(a.Service, b.Service) })
}

// sortChildren orders each span's children latest end first, then
// earliest start, then node ID, so that the walk is deterministic.
func (t *tree) sortChildren() {
	t.order = make([]int32, len(t.nodes))
	for i := range t.order {
		t.order[i] = int32(i)
	}
	for v := range t.nodes {
		kids := t.order[t.kidLo[v]:t.kidHi[v]]
		if len(kids) < 2 {
			continue
		}
		slices.SortFunc(kids, func(a, b int32) int {
			if c := cmp.Compare(t.end[b], t.end[a]); c != 0 {
				return c
			}
			if c := cmp.Compare(t.start[a], t.start[b]); c != 0 {
				return c
			}
			return strings.Compare(t.g.Node(t.nodes[a]).ID, t.g.Node(t.nodes[b]).ID)
		})
	}
}

// children returns span v's children, latest-ending first.
func (t *tree) children(v int32) []int32 { return t.order[t.kidLo[v]:t.kidHi[v]] }

// clip returns child c's interval within the window [lo, hi], empty
// (end <= start) when it lies outside.
func (t *tree) clip(c int32, lo, hi int64) (int64, int64) {
	return max(t.start[c], lo), min(t.end[c], hi)
}

// selfTime returns the time of span v (within its own window) that no
// child covers. Children come latest end first, so the union is merged
// from the end backwards.
func (t *tree) selfTime(v int32) int64 {
	lo, hi := t.start[v], t.end[v]
	var covered, bs, be int64
	open := false
	for _, c := range t.children(v) {
		cs, ce := t.clip(c, lo, hi)
		if ce <= cs {
			continue
		}
		if open && ce >= bs {
			bs = min(bs, cs)
			continue
		}
		if open {
			covered += be - bs
		}
		bs, be, open = cs, ce, true
	}
	if open {
		covered += be - bs
	}
	return hi - lo - covered
}

// clipped counts the children that end after, or start before, their
// parent.
func (t *tree) clipped() int {
	n := 0
	for v := range t.nodes {
		for _, c := range t.children(int32(v)) {
			if t.end[c] > t.end[v] || t.start[c] < t.start[v] {
				n++
			}
		}
	}
	return n
}
