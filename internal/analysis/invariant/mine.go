package invariant

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Mine returns the invariants that held over every healthy trace with at
// least opt.MinSupport observations.
func Mine(healthy []*cohort.Trace, opt Options) *Set {
	opt = opt.withDefaults()
	m := newMiner(opt, len(healthy))
	for _, t := range healthy {
		m.addTrace(t)
	}
	s := &Set{Traces: len(healthy), opt: opt, known: map[string]bool{}, byType: map[string][]int{}}
	for _, typ := range m.typeOrder {
		s.known[typ] = true
		s.Invariants = append(s.Invariants, m.spanInvariants(typ)...)
		s.Invariants = append(s.Invariants, m.countInvariant(typ)...)
	}
	if len(healthy) >= opt.MinSupport {
		s.Invariants = append(s.Invariants, Invariant{Kind: Known, Support: len(healthy),
			Statement: fmt.Sprintf("every span is of one of the %d types seen", len(m.typeOrder))})
	}
	s.Invariants = append(s.Invariants, m.orderInvariants(healthy)...)
	sortInvariants(s.Invariants)
	s.index()
	return s
}

// miner holds the span statistics of the healthy cohort.
type miner struct {
	opt       Options
	traces    int
	types     map[string]*typeStats
	typeOrder []string
	counts    map[string]*countStats
	local     map[string]int
}

// countStats is how many spans of a type the traces having it hold.
type countStats struct{ traces, min, max int }

func newMiner(opt Options, traces int) *miner {
	return &miner{opt: opt, traces: traces, types: map[string]*typeStats{},
		counts: map[string]*countStats{}, local: map[string]int{}}
}

func (m *miner) addTrace(t *cohort.Trace) {
	clear(m.local)
	for i := range t.Spans {
		typ := t.Spans[i].Type
		ts := m.types[typ]
		if ts == nil {
			ts = newTypeStats()
			m.types[typ] = ts
			m.typeOrder = append(m.typeOrder, typ)
		}
		ts.addSpan(t, i, m.opt.MaxEnum)
		m.local[typ]++
	}
	for typ, n := range m.local {
		c := m.counts[typ]
		if c == nil {
			c = &countStats{min: n, max: n}
			m.counts[typ] = c
		}
		c.traces++
		c.min, c.max = min(c.min, n), max(c.max, n)
	}
}

// spanInvariants mines the span-level invariants of one type.
func (m *miner) spanInvariants(typ string) []Invariant {
	ts := m.types[typ]
	if ts.spans < m.opt.MinSupport {
		return nil
	}
	var out []Invariant
	st := slices.Sorted(maps.Keys(ts.status))
	out = append(out, Invariant{Kind: Status, SpanType: typ, Values: st, Support: ts.spans,
		Statement: fmt.Sprintf("%s ends with status %s", typ, strings.Join(st, " or "))})
	out = append(out, m.durationInvariant(typ, ts))
	if inv, ok := m.parentInvariant(typ, ts); ok {
		out = append(out, inv)
	}
	for _, key := range ts.keyOrder {
		out = append(out, m.keyInvariants(typ, key, ts.keys[key], ts.spans)...)
	}
	return out
}

func (m *miner) durationInvariant(typ string, ts *typeStats) Invariant {
	lo, hi := float64(ts.durMin), float64(ts.durMax)
	b := &Bounds{Low: math.Floor(lo * (1 - m.opt.DurationSlack)), High: math.Ceil(hi * (1 + m.opt.DurationSlack)), SeenMin: lo, SeenMax: hi}
	return Invariant{Kind: Duration, SpanType: typ, Bounds: b, Support: ts.spans,
		Statement: fmt.Sprintf("%s lasts %s to %s", typ, time.Duration(int64(b.Low)), time.Duration(int64(b.High)))}
}

func (m *miner) parentInvariant(typ string, ts *typeStats) (Invariant, bool) {
	if len(ts.parents) != 1 || ts.parents[""] > 0 {
		return Invariant{}, false
	}
	var parent string
	for p := range ts.parents {
		parent = p
	}
	return Invariant{Kind: ChildOf, SpanType: typ, Other: parent, Support: ts.spans,
		Statement: fmt.Sprintf("%s is always called by %s", typ, parent)}, true
}

// keyInvariants mines non-null, range and enum for one key.
func (m *miner) keyInvariants(typ, key string, ks *keyStats, spans int) []Invariant {
	var out []Invariant
	if ks.present == spans {
		out = append(out, Invariant{Kind: NonNull, SpanType: typ, Key: key, Support: spans,
			Statement: fmt.Sprintf("%s always has %s", typ, key)})
	}
	if cohort.Volatile(key) || ks.present < m.opt.MinSupport {
		return out
	}
	if ks.numeric == ks.present {
		return append(out, m.rangeInvariant(typ, key, ks))
	}
	n := len(ks.values)
	if !ks.nonEnumerable && !ks.overflow && n <= m.opt.MaxEnum && 2*n <= ks.present {
		vs := slices.Sorted(maps.Keys(ks.values))
		out = append(out, Invariant{Kind: Enum, SpanType: typ, Key: key, Values: vs, Support: ks.present,
			Statement: fmt.Sprintf("%s %s is one of {%s}", typ, key, strings.Join(vs, ", "))})
	}
	return out
}

func (m *miner) rangeInvariant(typ, key string, ks *keyStats) Invariant {
	slack := m.opt.Tolerance * max(ks.max-ks.min, math.Abs(ks.min), math.Abs(ks.max))
	lo := ks.min - slack
	if ks.min >= 0 {
		lo = max(lo, 0) // a quantity never seen negative stays so
	}
	b := &Bounds{Low: lo, High: ks.max + slack, SeenMin: ks.min, SeenMax: ks.max}
	return Invariant{Kind: Range, SpanType: typ, Key: key, Bounds: b, Support: ks.present,
		Statement: fmt.Sprintf("%s %s is within [%g, %g] (seen %g to %g)", typ, key, b.Low, b.High, ks.min, ks.max)}
}

// countInvariant bounds the spans of a type per trace; a type missing
// from some traces has a lower bound of zero.
func (m *miner) countInvariant(typ string) []Invariant {
	c := m.counts[typ]
	if c.traces < m.opt.MinSupport {
		return nil
	}
	lo := c.min
	if c.traces < m.traces {
		lo = 0
	}
	hi := int(math.Floor(float64(c.max) * (1 + m.opt.Tolerance)))
	b := &Bounds{Low: float64(lo), High: float64(hi), SeenMin: float64(lo), SeenMax: float64(c.max)}
	return []Invariant{{Kind: Count, SpanType: typ, Bounds: b, Support: m.traces,
		Statement: fmt.Sprintf("a trace has %d to %d %s spans", lo, hi, typ)}}
}
