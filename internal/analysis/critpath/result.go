package critpath

import (
	"cmp"
	"slices"
	"strings"
)

// maxBlocking bounds SpanTime.Blocking.
const maxBlocking = 10

func (t *tree) result(segs []segment, entered []int32, opt Options) *Path {
	root := t.g.Node(t.nodes[0])
	p := &Path{Root: root.ID, TraceID: root.Trace.TraceID, StartUnix: t.start[0], EndUnix: t.end[0],
		DurationNs: t.end[0] - t.start[0], Spans: len(t.nodes), Skews: t.skews, Async: t.async, Clipped: t.clipped()}
	crit := make([]int64, len(t.nodes))
	for _, s := range segs {
		crit[s.v] += s.end - s.start
	}
	self := make([]int64, len(t.nodes))
	for v := range t.nodes {
		self[v] = t.selfTime(int32(v))
	}
	p.Segments, p.OmittedSegments, p.OmittedSegmentNs = t.segments(segs, opt.MaxSegments)
	st := t.spanTimes(entered, crit, self)
	for _, s := range st {
		if s.CriticalNs > 0 {
			p.Critical++
		}
	}
	p.SpanTimes, p.OmittedSpans = bound(st, opt.MaxSpans)
	p.Ops, p.OmittedOps = bound(t.ops(crit, self), opt.MaxOps)
	return p
}

// bound keeps the first n elements of s and says how many it dropped. A
// nil slice comes back empty, so that lists marshal as [], not null.
func bound[T any](s []T, n int) ([]T, int) {
	if s == nil {
		s = []T{}
	}
	if len(s) <= n {
		return s, 0
	}
	return s[:n], len(s) - n
}

// segments keeps the n longest segments (ties: the earlier), in time
// order, and totals the rest.
func (t *tree) segments(segs []segment, n int) ([]Segment, int, int64) {
	keep := segs
	var omittedNs int64
	if len(segs) > n {
		idx := make([]int, len(segs))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(segs[b].end-segs[b].start, segs[a].end-segs[a].start)
		})
		slices.Sort(idx[:n])
		keep = make([]segment, 0, n)
		for _, i := range idx[:n] {
			keep = append(keep, segs[i])
		}
		for _, i := range idx[n:] {
			omittedNs += segs[i].end - segs[i].start
		}
	}
	out := make([]Segment, len(keep))
	for i, s := range keep {
		nd := t.g.Node(t.nodes[s.v])
		out[i] = Segment{Span: nd.ID, Service: nd.Service, Name: nd.Name, StartUnix: s.start, EndUnix: s.end,
			DurationNs: s.end - s.start}
	}
	return out, len(segs) - len(keep), omittedNs
}

// spanTimes describes the spans the walk entered, most critical time
// first (then most self time, then node ID).
func (t *tree) spanTimes(entered []int32, crit, self []int64) []SpanTime {
	blocking := map[int32][]int32{}
	for _, c := range entered[1:] {
		blocking[t.parent[c]] = append(blocking[t.parent[c]], c)
	}
	out := make([]SpanTime, 0, len(entered))
	for _, v := range entered {
		nd := t.g.Node(t.nodes[v])
		s := SpanTime{Span: nd.ID, Service: nd.Service, Name: nd.Name, StartUnix: t.start[v], EndUnix: t.end[v],
			DurationNs: t.end[v] - t.start[v], SelfNs: self[v], CriticalNs: crit[v], Children: int(t.kidHi[v] - t.kidLo[v])}
		kids := blocking[v]
		slices.Reverse(kids) // entered latest first
		for _, c := range kids {
			s.Blocking = append(s.Blocking, t.g.Node(t.nodes[c]).ID)
		}
		s.Blocking, s.OmittedBlocking = bound(s.Blocking, maxBlocking)
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b SpanTime) int {
		if c := cmp.Compare(b.CriticalNs, a.CriticalNs); c != 0 {
			return c
		}
		if c := cmp.Compare(b.SelfNs, a.SelfNs); c != 0 {
			return c
		}
		return strings.Compare(a.Span, b.Span)
	})
	return out
}

// ops aggregates every span of the tree by service and operation.
func (t *tree) ops(crit, self []int64) []OpTime {
	idx := map[[2]string]int{}
	var out []OpTime
	for v, i := range t.nodes {
		nd := t.g.Node(i)
		k := [2]string{nd.Service, nd.Name}
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, OpTime{Service: nd.Service, Name: nd.Name})
		}
		o := &out[j]
		o.Count++
		o.TotalNs += t.end[v] - t.start[v]
		o.SelfNs += self[v]
		o.CriticalNs += crit[v]
	}
	slices.SortFunc(out, func(a, b OpTime) int {
		if c := cmp.Compare(b.CriticalNs, a.CriticalNs); c != 0 {
			return c
		}
		if c := cmp.Compare(b.SelfNs, a.SelfNs); c != 0 {
			return c
		}
		if c := cmp.Compare(b.TotalNs, a.TotalNs); c != 0 {
			return c
		}
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
