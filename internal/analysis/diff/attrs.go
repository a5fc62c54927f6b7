package diff

import (
	"cmp"
	"slices"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Attributes ranks attribute values by how strongly they separate the
// failing spans from healthy spans of the same type.
type Attributes struct {
	Divergent []Divergence `json:"divergent"`
	Omitted   int          `json:"omitted"`
	// SkippedKeys counts (span type, key) pairs left out as
	// high-cardinality.
	SkippedKeys int `json:"skipped_keys"`
}

// Divergence is one attribute value over-represented on failing spans.
type Divergence struct {
	Key string `json:"key"`
	// Value is the value as text, or for a numeric key with many values
	// its power-of-two bucket ("[64,128)"), then Bucketed is set.
	Value    string `json:"value"`
	Bucketed bool   `json:"bucketed,omitempty"`
	// SpanType is the service and operation of the spans compared.
	SpanType string `json:"span_type"`
	// FailingSpans of FailingTotal failing spans of the type have the
	// value; likewise HealthySpans of HealthyTotal.
	FailingSpans int     `json:"failing_spans"`
	FailingTotal int     `json:"failing_total"`
	HealthySpans int     `json:"healthy_spans"`
	HealthyTotal int     `json:"healthy_total"`
	FailingShare float64 `json:"failing_share"`
	HealthyShare float64 `json:"healthy_share"`
	// Difference is FailingShare − HealthyShare, the ranking score; Lift
	// the ratio of the two shares with add-one smoothing.
	Difference float64 `json:"difference"`
	Lift       float64 `json:"lift"`
	// AlsoOn counts other span types where the same key and value
	// diverge less or equally; they are folded into this entry.
	AlsoOn int      `json:"also_on,omitempty"`
	Nodes  []string `json:"nodes"`
}

func attributes(failing, healthy []*cohort.Trace, opt Options) Attributes {
	tab := newTally(opt)
	for _, t := range failing {
		tab.add(t, true)
	}
	for _, t := range healthy {
		tab.add(t, false)
	}
	var out Attributes
	var all []Divergence
	for _, typ := range tab.typeOrder {
		ts := tab.types[typ]
		if ts.healthy == 0 {
			continue // no baseline: structure reports the type
		}
		for _, key := range sortedKeys(ts.keys) {
			ds, skipped := tab.diverge(typ, ts, key)
			all = append(all, ds...)
			if skipped {
				out.SkippedKeys++
			}
		}
	}
	rank(all, tab.depth)
	out.Divergent, out.Omitted = bound(collapse(all), opt.TopN)
	return out
}

// rank orders divergences: the larger difference first, then the
// shallower span type (an attribute of the request beats the same value
// echoed by a callee), then the larger lift, then key, value and type.
func rank(ds []Divergence, depth map[string]int) {
	slices.SortFunc(ds, func(a, b Divergence) int {
		return cmp.Or(cmp.Compare(b.Difference, a.Difference), cmp.Compare(depth[a.SpanType], depth[b.SpanType]),
			cmp.Compare(b.Lift, a.Lift),
			cmp.Compare(a.Key, b.Key), cmp.Compare(a.Value, b.Value), cmp.Compare(a.SpanType, b.SpanType))
	})
}

// collapse keeps the best entry per key and value, counting the others.
func collapse(ds []Divergence) []Divergence {
	type kv struct{ k, v string }
	first := map[kv]int{}
	out := ds[:0]
	for _, d := range ds {
		if i, ok := first[kv{d.Key, d.Value}]; ok {
			out[i].AlsoOn++
			continue
		}
		first[kv{d.Key, d.Value}] = len(out)
		out = append(out, d)
	}
	return out
}
