package diff

import (
	"cmp"
	"maps"
	"slices"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// maxExact is how many distinct values a numeric key may have before
// its values are bucketed.
const maxExact = 10

// tally counts attribute values per span type over both sets.
type tally struct {
	opt       Options
	types     map[string]*typeTally
	typeOrder []string
	depth     map[string]int // shallowest depth seen per type
}

type typeTally struct {
	failing, healthy int // spans of the type
	keys             map[string]*keyTally
}

type keyTally struct{ values map[valueKey]*valueTally }

type valueTally struct {
	failing, healthy int
	nodes            []string
}

func newTally(opt Options) *tally {
	return &tally{opt: opt, types: map[string]*typeTally{}, depth: map[string]int{}}
}

// add counts a trace's spans. Failing traces go first: they decide which
// types and keys are worth counting in the (much larger) healthy set.
func (tb *tally) add(t *cohort.Trace, failing bool) {
	for i := range t.Spans {
		sp := &t.Spans[i]
		ts := tb.types[sp.Type]
		if ts == nil {
			if !failing {
				continue
			}
			ts = &typeTally{keys: map[string]*keyTally{}}
			tb.types[sp.Type] = ts
			tb.typeOrder = append(tb.typeOrder, sp.Type)
			tb.depth[sp.Type] = sp.Depth
		}
		tb.depth[sp.Type] = min(tb.depth[sp.Type], sp.Depth)
		if failing {
			ts.failing++
		} else {
			ts.healthy++
		}
		tb.addAttrs(ts, t, i, failing)
	}
}

func (tb *tally) addAttrs(ts *typeTally, t *cohort.Trace, i int, failing bool) {
	n := t.Node(i)
	for _, a := range n.Attrs {
		kt := ts.keys[a.Key]
		if kt == nil {
			if !failing || cohort.Volatile(a.Key) || !tb.opt.KeepOutcome && outcome(a.Key) {
				continue
			}
			kt = &keyTally{values: map[valueKey]*valueTally{}}
			ts.keys[a.Key] = kt
		}
		k := keyOf(a.Value)
		vt := kt.values[k]
		if vt == nil {
			vt = &valueTally{}
			kt.values[k] = vt
		}
		if !failing {
			vt.healthy++
			continue
		}
		vt.failing++
		if len(vt.nodes) < tb.opt.MaxNodes {
			vt.nodes = append(vt.nodes, n.ID)
		}
	}
}

// diverge returns the over-represented values of one key of one type,
// or skipped when the key has too many values to say anything.
func (tb *tally) diverge(typ string, ts *typeTally, key string) (out []Divergence, skipped bool) {
	labels, bucketed := tb.labels(ts.keys[key])
	if tb.highCardinality(labels) {
		return nil, true
	}
	for _, l := range slices.Sorted(maps.Keys(labels)) {
		if d, ok := tb.divergence(typ, ts, key, l, labels[l], bucketed); ok {
			out = append(out, d)
		}
	}
	return out, false
}

// divergence scores one value; ok is false unless failing spans have it
// at least MinDivergence more often than healthy ones.
func (tb *tally) divergence(typ string, ts *typeTally, key, label string, v *valueTally, bucketed bool) (Divergence, bool) {
	if v.failing == 0 {
		return Divergence{}, false
	}
	fs, hs := float64(v.failing)/float64(ts.failing), float64(v.healthy)/float64(ts.healthy)
	if fs-hs < tb.opt.MinDivergence {
		return Divergence{}, false
	}
	lift := (float64(v.failing+1) / float64(ts.failing+2)) / (float64(v.healthy+1) / float64(ts.healthy+2))
	return Divergence{Key: key, Value: label, Bucketed: bucketed, SpanType: typ,
		FailingSpans: v.failing, FailingTotal: ts.failing, HealthySpans: v.healthy, HealthyTotal: ts.healthy,
		FailingShare: round(fs), HealthyShare: round(hs), Difference: round(fs - hs), Lift: round(lift),
		Nodes: v.nodes}, true
}

// labels merges a key's values by their reported label: numeric keys
// with many values into power-of-two buckets.
func (tb *tally) labels(kt *keyTally) (map[string]*valueTally, bool) {
	keys := slices.SortedFunc(maps.Keys(kt.values), func(a, b valueKey) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.num, b.num), cmp.Compare(a.str, b.str))
	})
	bucketed := len(keys) > maxExact && !slices.ContainsFunc(keys, func(k valueKey) bool { return !k.numeric() })
	out := make(map[string]*valueTally, len(keys))
	for _, k := range keys {
		l := k.label()
		if bucketed {
			l = bucket(k.float())
		}
		v, into := kt.values[k], out[l]
		if into == nil {
			out[l] = &valueTally{failing: v.failing, healthy: v.healthy, nodes: slices.Clip(v.nodes)}
			continue
		}
		into.failing += v.failing
		into.healthy += v.healthy
		into.nodes = append(into.nodes, v.nodes[:min(len(v.nodes), tb.opt.MaxNodes-len(into.nodes))]...)
	}
	return out, bucketed
}

// highCardinality: too many distinct healthy values, or, on either side,
// more than five values that are mostly seen once (identifiers under
// names Volatile does not know).
func (tb *tally) highCardinality(labels map[string]*valueTally) bool {
	var hd, hn, fd, fn int
	for _, v := range labels {
		if v.healthy > 0 {
			hd, hn = hd+1, hn+v.healthy
		}
		if v.failing > 0 {
			fd, fn = fd+1, fn+v.failing
		}
	}
	return hd > tb.opt.MaxValues || hd > 5 && 2*hd > hn || fd > 5 && 2*fd > fn
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
