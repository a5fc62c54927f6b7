package diff

import (
	"strings"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// pathAgg is what a set of traces says about one call path. The slices
// hold one entry per trace that has the path.
type pathAgg struct {
	path      string
	service   string
	operation string
	counts    []int   // spans with the path per trace
	self, dur []int64 // summed per trace
	nodes     []string
}

// traceSet is a set of traces profiled by path.
type traceSet struct {
	traces []*cohort.Trace
	paths  map[string]*pathAgg
	order  []string // paths in first-seen order
	local  []string // scratch: one trace's paths in first-seen order
}

// perTrace is one trace's contribution to one path.
type perTrace struct {
	count     int
	self, dur int64
}

func profileAll(ts []*cohort.Trace, maxNodes int) *traceSet {
	s := &traceSet{traces: ts, paths: map[string]*pathAgg{}}
	local := map[string]*perTrace{}
	for _, t := range ts {
		clear(local)
		s.addTrace(t, local, maxNodes)
	}
	return s
}

// addTrace sums t's spans per path in local, then appends the sums to
// the set's aggregates.
func (s *traceSet) addTrace(t *cohort.Trace, local map[string]*perTrace, maxNodes int) {
	order := s.local[:0]
	for i := range t.Spans {
		sp := &t.Spans[i]
		pt := local[sp.Path]
		if pt == nil {
			pt = &perTrace{}
			local[sp.Path] = pt
			order = append(order, sp.Path)
		}
		pt.count++
		pt.self += sp.Self
		pt.dur += t.Node(i).Duration()
		if a := s.agg(t, i); len(a.nodes) < maxNodes {
			a.nodes = append(a.nodes, t.Node(i).ID)
		}
	}
	for _, p := range order {
		a, pt := s.paths[p], local[p]
		a.counts = append(a.counts, pt.count)
		a.self = append(a.self, pt.self)
		a.dur = append(a.dur, pt.dur)
	}
	s.local = order
}

// agg returns the aggregate for span i's path, creating it.
func (s *traceSet) agg(t *cohort.Trace, i int) *pathAgg {
	sp := &t.Spans[i]
	if a := s.paths[sp.Path]; a != nil {
		return a
	}
	n := t.Node(i)
	a := &pathAgg{path: sp.Path, service: n.Service, operation: cohort.Operation(n)}
	s.paths[sp.Path] = a
	s.order = append(s.order, sp.Path)
	return a
}

// share returns how many traces of the set have path p, and their share.
func (s *traceSet) share(p string) (n int, share float64) {
	if a := s.paths[p]; a != nil {
		n = len(a.counts)
	}
	return n, float64(n) / float64(len(s.traces))
}

// parentPath returns the path of p's caller, or "" for a root path.
func parentPath(p string) string {
	i := strings.LastIndex(p, cohort.PathSep)
	if i < 0 {
		return ""
	}
	return p[:i]
}
