package cohort

import "github.com/tagdebug/tag/epg"

// selfTime is span i's duration minus the union of its children's
// intervals clipped to its own; kids are local indices into idx, sorted by
// start time. Children that overlap (concurrent calls) count once.
func selfTime(g *epg.Graph, i int32, idx []int32, kids []int) int64 {
	n := g.Node(i)
	d := n.Duration()
	if d == 0 {
		return 0
	}
	covered := int64(0)
	curStart, curEnd := int64(0), int64(0)
	for _, k := range kids {
		c := g.Node(idx[k])
		if c.Duration() == 0 {
			continue
		}
		s, e := max(c.Start, n.Start), min(c.End, n.End)
		if e <= s {
			continue
		}
		if s > curEnd {
			covered += curEnd - curStart
			curStart, curEnd = s, e
			continue
		}
		curEnd = max(curEnd, e)
	}
	covered += curEnd - curStart
	return max(d-covered, 0)
}
