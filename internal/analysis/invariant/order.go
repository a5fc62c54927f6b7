package invariant

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// window is the time the spans of one type occupy in one trace: the
// earliest start and the latest end.
type window struct{ start, end int64 }

// windows returns, for the span types in idx, their windows in trace t
// (start 0 when the type is absent or untimed).
func windows(t *cohort.Trace, idx map[string]int, out []window) []window {
	out = out[:0]
	for range idx {
		out = append(out, window{})
	}
	for i := range t.Spans {
		k, ok := idx[t.Spans[i].Type]
		n := t.Node(i)
		if !ok || n.Start == 0 || n.End == 0 {
			continue
		}
		w := &out[k]
		if w.start == 0 || n.Start < w.start {
			w.start = n.Start
		}
		w.end = max(w.end, n.End)
	}
	return out
}

// orderTypes picks the types ordering is mined between: the most
// frequent, at most MaxTypes, each in at least MinSupport traces.
func (m *miner) orderTypes() []string {
	var ts []string
	for _, typ := range m.typeOrder {
		if m.counts[typ].traces >= m.opt.MinSupport {
			ts = append(ts, typ)
		}
	}
	slices.SortFunc(ts, func(a, b string) int {
		return cmp.Or(cmp.Compare(m.counts[b].traces, m.counts[a].traces), cmp.Compare(a, b))
	})
	return ts[:min(len(ts), m.opt.MaxTypes)]
}

// orderInvariants mines "A starts after B ends" for every pair of types
// that held in each of at least MinSupport traces having both, then drops
// the pairs implied by two others.
func (m *miner) orderInvariants(healthy []*cohort.Trace) []Invariant {
	types := m.orderTypes()
	n := len(types)
	idx := make(map[string]int, n)
	for k, typ := range types {
		idx[typ] = k
	}
	both, held := make([]int, n*n), make([]int, n*n)
	var ws []window
	for _, t := range healthy {
		ws = windows(t, idx, ws)
		for a := range n {
			for b := range n {
				if a == b || ws[a].start == 0 || ws[b].start == 0 {
					continue
				}
				both[a*n+b]++
				if ws[a].start >= ws[b].end {
					held[a*n+b]++
				}
			}
		}
	}
	after := func(a, b int) bool { return both[a*n+b] >= m.opt.MinSupport && held[a*n+b] == both[a*n+b] }
	var out []Invariant
	for a := range n {
		for b := range n {
			if a == b || !after(a, b) || implied(n, a, b, after) {
				continue
			}
			out = append(out, Invariant{Kind: After, SpanType: types[a], Other: types[b], Support: both[a*n+b],
				Statement: fmt.Sprintf("%s starts after %s ends", types[a], types[b])})
		}
	}
	return out
}

// implied reports whether a-after-b follows from a-after-c and c-after-b.
func implied(n, a, b int, after func(a, b int) bool) bool {
	for c := range n {
		if c != a && c != b && after(a, c) && after(c, b) {
			return true
		}
	}
	return false
}

// orderHolds checks one After invariant on one trace's windows; a trace
// lacking either type does not break it.
func orderHolds(a, b window) bool {
	return a.start == 0 || b.start == 0 || a.start >= b.end
}
