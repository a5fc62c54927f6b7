package critpath

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Roots returns the node IDs of the spans no other span calls: the roots
// of the graph's traces, and the tops of fragments whose parent was
// never received. They come earliest first, then by node ID.
func Roots(g *epg.Graph) []string {
	type root struct {
		id    string
		start int64
	}
	var rs []root
	g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		for _, p := range g.Parents(i, epg.EdgeCall) {
			if g.Node(p).Kind == epg.KindSpan {
				return true
			}
		}
		rs = append(rs, root{n.ID, n.Start})
		return true
	})
	slices.SortFunc(rs, func(a, b root) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return out
}
