package diff

import (
	"slices"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// spanRef is one span of one trace.
type spanRef struct {
	t *cohort.Trace
	i int
}

func allSpans(ts []*cohort.Trace) []spanRef {
	var out []spanRef
	for _, t := range ts {
		for i := range t.Spans {
			out = append(out, spanRef{t, i})
		}
	}
	return out
}

// naiveAttributes is the attribute divergence as one would first write
// it: for every span type, key and value seen on failing spans, scan all
// spans of both sets and count. Same semantics as attributes; it is the
// benchmark's baseline and the oracle of TestNaiveAgrees.
func naiveAttributes(failing, healthy []*cohort.Trace, opt Options) Attributes {
	fs, hs := allSpans(failing), allSpans(healthy)
	var out Attributes
	var all []Divergence
	depth := map[string]int{}
	for _, typ := range naiveTypes(fs, depth) {
		fT, hT := countType(fs, typ), countType(hs, typ)
		if hT == 0 {
			continue
		}
		for _, key := range naiveKeys(fs, typ, opt) {
			ds, skipped := naiveKey(fs, hs, typ, key, fT, hT, opt)
			all = append(all, ds...)
			if skipped {
				out.SkippedKeys++
			}
		}
	}
	rank(all, depth)
	out.Divergent, out.Omitted = bound(collapse(all), opt.TopN)
	return out
}

func naiveTypes(fs []spanRef, depth map[string]int) []string {
	var types []string
	for _, s := range fs {
		sp := s.t.Spans[s.i]
		if d, ok := depth[sp.Type]; !ok || sp.Depth < d {
			depth[sp.Type] = sp.Depth
		}
		if !slices.Contains(types, sp.Type) {
			types = append(types, sp.Type)
		}
	}
	return types
}

func countType(ss []spanRef, typ string) int {
	n := 0
	for _, s := range ss {
		if s.t.Spans[s.i].Type == typ {
			n++
		}
	}
	return n
}

func naiveKeys(fs []spanRef, typ string, opt Options) []string {
	var keys []string
	for _, s := range fs {
		if s.t.Spans[s.i].Type != typ {
			continue
		}
		for _, a := range s.t.Node(s.i).Attrs {
			if !cohort.Volatile(a.Key) && (opt.KeepOutcome || !outcome(a.Key)) && !slices.Contains(keys, a.Key) {
				keys = append(keys, a.Key)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// naiveKey scans every span once per distinct value.
func naiveKey(fs, hs []spanRef, typ, key string, fT, hT int, opt Options) ([]Divergence, bool) {
	vals := naiveValues(append(slices.Clip(fs), hs...), typ, key)
	bucketed := len(vals) > maxExact && !slices.ContainsFunc(vals, func(k valueKey) bool { return !k.numeric() })
	// Labels are rendered once per value, so the scans below compare
	// strings rather than format numbers.
	labelOf := make(map[valueKey]string, len(vals))
	for _, v := range vals {
		labelOf[v] = v.label()
		if bucketed {
			labelOf[v] = bucket(v.float())
		}
	}
	label := func(k valueKey) string { return labelOf[k] }
	var labels []string
	seen := map[string]bool{}
	for _, v := range vals {
		if l := label(v); !seen[l] {
			seen[l] = true
			labels = append(labels, l)
		}
	}
	slices.Sort(labels)
	counts := map[string]*valueTally{}
	for _, l := range labels {
		counts[l] = &valueTally{}
		for _, s := range fs {
			if v, ok := s.t.Node(s.i).Attr(key); ok && s.t.Spans[s.i].Type == typ && label(keyOf(v)) == l {
				counts[l].failing++
				if len(counts[l].nodes) < opt.MaxNodes {
					counts[l].nodes = append(counts[l].nodes, s.t.Node(s.i).ID)
				}
			}
		}
		for _, s := range hs {
			if v, ok := s.t.Node(s.i).Attr(key); ok && s.t.Spans[s.i].Type == typ && label(keyOf(v)) == l {
				counts[l].healthy++
			}
		}
	}
	tb := &tally{opt: opt}
	if tb.highCardinality(counts) {
		return nil, true
	}
	ts := &typeTally{failing: fT, healthy: hT, keys: map[string]*keyTally{}}
	var out []Divergence
	for _, l := range labels {
		if d, ok := tb.divergence(typ, ts, key, l, counts[l], bucketed); ok {
			out = append(out, d)
		}
	}
	return out, false
}

// naiveValues lists the distinct values of key on spans of typ. (A set,
// not a scan: the baseline is naive in its counting, not quadratic in the
// number of distinct values.)
func naiveValues(ss []spanRef, typ, key string) []valueKey {
	var vals []valueKey
	seen := map[valueKey]bool{}
	for _, s := range ss {
		if s.t.Spans[s.i].Type != typ {
			continue
		}
		if v, ok := s.t.Node(s.i).Attr(key); ok && !seen[keyOf(v)] {
			seen[keyOf(v)] = true
			vals = append(vals, keyOf(v))
		}
	}
	return vals
}
