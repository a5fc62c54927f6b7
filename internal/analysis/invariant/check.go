package invariant

import (
	"cmp"
	"slices"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Report lists the invariants the failing traces break.
type Report struct {
	Endpoint     cohort.Key `json:"endpoint"`
	Mined        int        `json:"mined"`
	HealthyCount int        `json:"healthy_count"`
	FailingCount int        `json:"failing_count"`
	// Broken is ranked by the invariant's support, then by how many
	// failing traces break it.
	Broken  []Violation `json:"broken"`
	Omitted int         `json:"omitted"`
}

// Violation is one invariant broken by failing traces.
type Violation struct {
	Invariant Invariant `json:"invariant"`
	// Traces counts the failing traces that break it.
	Traces int `json:"traces"`
	// Observed is what the first offending trace showed instead.
	Observed string `json:"observed"`
	// Nodes cites the offending spans (for a missing span, its would-be
	// callers).
	Nodes []string `json:"nodes"`
}

// index groups the span-level invariants by type for checking.
func (s *Set) index() {
	s.knownAt = -1
	for i, inv := range s.Invariants {
		switch inv.Kind {
		case Known:
			s.knownAt = i
		case Status, Duration, ChildOf, NonNull, Enum, Range:
			s.byType[inv.SpanType] = append(s.byType[inv.SpanType], i)
		}
	}
}

// Check returns the invariants that the failing traces break.
func (s *Set) Check(failing []*cohort.Trace) *Report {
	c := &checker{set: s, at: map[vkey]int{}}
	for _, t := range failing {
		c.trace(t)
	}
	slices.SortFunc(c.found, func(a, b Violation) int {
		return cmp.Or(compareInvariants(a.Invariant, b.Invariant), cmp.Compare(b.Traces, a.Traces),
			cmp.Compare(a.Observed, b.Observed))
	})
	r := &Report{Mined: len(s.Invariants), HealthyCount: s.Traces, FailingCount: len(failing), Broken: []Violation{}}
	r.Broken = append(r.Broken, c.found[:min(len(c.found), s.opt.TopN)]...)
	r.Omitted = len(c.found) - len(r.Broken)
	return r
}

// vkey identifies a violation: the invariant, and for Known the
// unexpected type.
type vkey struct {
	inv   int
	extra string
}

type checker struct {
	set   *Set
	at    map[vkey]int
	found []Violation
	last  []string // per violation, the last trace counted
}

// record notes that trace broke invariant k.inv, seeing observed at nodes.
func (c *checker) record(k vkey, trace, observed string, nodes ...string) {
	i, ok := c.at[k]
	if !ok {
		inv := c.set.Invariants[k.inv]
		if k.extra != "" {
			inv.SpanType = k.extra
		}
		i = len(c.found)
		c.at[k] = i
		c.found = append(c.found, Violation{Invariant: inv, Observed: observed})
		c.last = append(c.last, "")
	}
	v := &c.found[i]
	if c.last[i] != trace {
		c.last[i] = trace
		v.Traces++
	}
	for _, n := range nodes {
		if len(v.Nodes) < c.set.opt.MaxNodes && !slices.Contains(v.Nodes, n) {
			v.Nodes = append(v.Nodes, n)
		}
	}
}
