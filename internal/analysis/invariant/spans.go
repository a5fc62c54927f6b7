package invariant

import (
	"math"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// typeStats accumulates what the healthy spans of one type showed.
type typeStats struct {
	spans          int
	durMin, durMax int64
	keys           map[string]*keyStats
	keyOrder       []string
	status         map[string]int
	parents        map[string]int // caller type → spans; "" for roots
}

// keyStats accumulates one attribute key of one span type.
type keyStats struct {
	present       int
	numeric       int
	min, max      float64
	values        map[string]int // capped: see overflow
	overflow      bool
	nonEnumerable bool // a number, bytes, array or map was seen
}

func newTypeStats() *typeStats {
	return &typeStats{durMin: math.MaxInt64, keys: map[string]*keyStats{}, status: map[string]int{}, parents: map[string]int{}}
}

// addSpan records span i of trace t.
func (ts *typeStats) addSpan(t *cohort.Trace, i int, maxEnum int) {
	n := t.Node(i)
	ts.spans++
	d := n.Duration()
	ts.durMin, ts.durMax = min(ts.durMin, d), max(ts.durMax, d)
	ts.status[statusOf(n)]++
	parent := ""
	if p := t.Spans[i].Parent; p >= 0 {
		parent = t.Spans[p].Type
	}
	ts.parents[parent]++
	for _, a := range n.Attrs {
		if a.Key == epg.AttrStatusCode {
			continue
		}
		ks := ts.keys[a.Key]
		if ks == nil {
			ks = &keyStats{min: math.Inf(1), max: math.Inf(-1), values: map[string]int{}}
			ts.keys[a.Key] = ks
			ts.keyOrder = append(ts.keyOrder, a.Key)
		}
		ks.add(a.Value, maxEnum)
	}
}

func (ks *keyStats) add(v epg.Value, maxEnum int) {
	ks.present++
	switch v.Kind() {
	case epg.ValueInt, epg.ValueFloat:
		x := v.FloatVal()
		ks.numeric++
		ks.min, ks.max = min(ks.min, x), max(ks.max, x)
		ks.nonEnumerable = true
		return
	case epg.ValueString, epg.ValueBool:
	default:
		ks.nonEnumerable = true
		return
	}
	l := v.AsString()
	if _, ok := ks.values[l]; !ok && len(ks.values) > maxEnum {
		ks.overflow = true
		return
	}
	ks.values[l]++
}

// statusOf returns a span's status code, "unset" when it has none.
func statusOf(n *epg.Node) string {
	if s := n.Attrs.Str(epg.AttrStatusCode); s != "" {
		return s
	}
	return "unset"
}
