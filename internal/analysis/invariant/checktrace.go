package invariant

import (
	"fmt"
	"time"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// trace checks every invariant against one failing trace.
func (c *checker) trace(t *cohort.Trace) {
	spans := map[string][]int{}
	known := c.set.knownAt
	for i := range t.Spans {
		typ := t.Spans[i].Type
		spans[typ] = append(spans[typ], i)
		if known >= 0 && !c.set.known[typ] && !c.underUnknown(t, i) {
			c.record(vkey{known, typ}, t.ID, typ, t.Node(i).ID)
		}
		for _, k := range c.set.byType[typ] {
			if obs, broken := spanBreaks(&c.set.Invariants[k], t, i); broken {
				c.record(vkey{inv: k}, t.ID, obs, t.Node(i).ID)
			}
		}
	}
	for k := range c.set.Invariants {
		inv := &c.set.Invariants[k]
		switch inv.Kind {
		case Count:
			c.count(k, t, spans)
		case After:
			c.after(k, t, spans)
		}
	}
}

// count checks a Count invariant. Missing spans are cited by the spans
// that should have called them (their usual caller, else the root).
func (c *checker) count(k int, t *cohort.Trace, spans map[string][]int) {
	inv := &c.set.Invariants[k]
	got := spans[inv.SpanType]
	if inv.Bounds.holds(float64(len(got))) {
		return
	}
	cite := got
	if len(got) < int(inv.Bounds.Low) {
		cite = spans[c.set.callerOf(inv.SpanType)]
		if len(cite) == 0 {
			cite = []int{0}
		}
	}
	c.record(vkey{inv: k}, t.ID, fmt.Sprintf("%d spans", len(got)), nodeIDs(t, cite)...)
}

// after checks an After invariant; a trace lacking either type holds it.
func (c *checker) after(k int, t *cohort.Trace, spans map[string][]int) {
	inv := &c.set.Invariants[k]
	as, bs := spans[inv.SpanType], spans[inv.Other]
	if len(as) == 0 || len(bs) == 0 {
		return
	}
	first, last := as[0], bs[0]
	for _, i := range as {
		if t.Node(i).Start < t.Node(first).Start {
			first = i
		}
	}
	for _, i := range bs {
		if t.Node(i).End > t.Node(last).End {
			last = i
		}
	}
	fa, lb := t.Node(first), t.Node(last)
	if orderHolds(window{fa.Start, fa.End}, window{lb.Start, lb.End}) {
		return
	}
	obs := fmt.Sprintf("starts %s before it ends", time.Duration(lb.End-fa.Start))
	c.record(vkey{inv: k}, t.ID, obs, fa.ID, lb.ID)
}

// underUnknown reports whether span i's caller is of an unknown type
// too: a new subtree is one violation, cited at its top.
func (c *checker) underUnknown(t *cohort.Trace, i int) bool {
	p := t.Spans[i].Parent
	return p >= 0 && !c.set.known[t.Spans[p].Type]
}

// callerOf returns the type a span type is always called by, or "".
func (s *Set) callerOf(typ string) string {
	for _, k := range s.byType[typ] {
		if inv := &s.Invariants[k]; inv.Kind == ChildOf {
			return inv.Other
		}
	}
	return ""
}

func nodeIDs(t *cohort.Trace, spans []int) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = t.Node(s).ID
	}
	return out
}
