package diff

import (
	"cmp"
	"slices"
)

// Timing lists the segments of the call tree that grew.
type Timing struct {
	// Total compares whole traces: the root spans' durations.
	Total Stat `json:"total"`
	// TotalRatio is the failing total over the healthy median.
	TotalRatio float64 `json:"total_ratio"`
	// Grown holds the paths whose self time went past the healthy p95,
	// the most time added first.
	Grown   []Segment `json:"grown"`
	Omitted int       `json:"omitted"`
}

// Stat compares a measure, in nanoseconds: the failing value (the median
// over failing traces when there are several) with the healthy median and
// p95. A path repeated within a trace counts its spans' sum.
type Stat struct {
	Failing int64 `json:"failing_ns"`
	Median  int64 `json:"healthy_median_ns"`
	P95     int64 `json:"healthy_p95_ns"`
}

// Segment is one call path whose time grew.
type Segment struct {
	Path      string `json:"path"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// New marks a path no healthy trace has: all its time is added.
	New           bool `json:"new,omitempty"`
	HealthyTraces int  `json:"healthy_traces"`
	// Self is time spent in the path's spans outside their children, the
	// measure that ranks: a slow call shows in its own self time, while
	// its callers' durations grow only by inheritance.
	Self     Stat `json:"self"`
	Duration Stat `json:"duration"`
	// Excess is the failing self time minus the healthy median (ns).
	Excess int64 `json:"excess_ns"`
	// Ratio is failing over healthy median self time (0 when New); Z is
	// the failing self time's z-score against the healthy traces.
	Ratio float64  `json:"ratio"`
	Z     float64  `json:"z"`
	Nodes []string `json:"nodes"`
}

func timing(f, h *traceSet, opt Options) Timing {
	var t Timing
	fr, hr := rootDurations(f), summarize(rootDurations(h))
	t.Total = Stat{Failing: quantile(fr, 0.5), Median: hr.median, P95: hr.p95}
	t.TotalRatio = ratio(t.Total.Failing, hr.median)
	minExcess := opt.MinExcess
	if minExcess <= 0 {
		minExcess = max(hr.median/100, 1)
	}
	var grown []Segment
	for _, p := range f.order {
		if s, ok := segment(f.paths[p], h.paths[p]); ok && s.Excess >= minExcess {
			grown = append(grown, s)
		}
	}
	slices.SortFunc(grown, func(a, b Segment) int {
		return cmp.Or(cmp.Compare(b.Excess, a.Excess), cmp.Compare(a.Path, b.Path))
	})
	t.Grown, t.Omitted = bound(grown, opt.TopN)
	return t
}

// segment compares one path; ok is false unless its self time grew past
// the healthy p95.
func segment(fa, ha *pathAgg) (Segment, bool) {
	s := Segment{Path: fa.path, Service: fa.service, Operation: fa.operation, Nodes: fa.nodes}
	fself, fdur := quantile(append([]int64(nil), fa.self...), 0.5), quantile(append([]int64(nil), fa.dur...), 0.5)
	var hs, hd summary
	if ha == nil {
		s.New = true
	} else {
		s.HealthyTraces = len(ha.counts)
		hs, hd = summarize(ha.self), summarize(ha.dur)
	}
	s.Self = Stat{Failing: fself, Median: hs.median, P95: hs.p95}
	s.Duration = Stat{Failing: fdur, Median: hd.median, P95: hd.p95}
	s.Excess = fself - hs.median
	if fself <= hs.p95 || s.Excess <= 0 {
		return s, false
	}
	if !s.New {
		s.Ratio = ratio(fself, hs.median)
		s.Z = round((float64(fself) - hs.mean) / max(hs.sd, 0.05*hs.mean, 1000))
	}
	return s, true
}

func rootDurations(s *traceSet) []int64 {
	out := make([]int64, len(s.traces))
	for i, t := range s.traces {
		out[i] = t.Root().Duration()
	}
	return out
}

// ratio is a/b, with b at least one nanosecond.
func ratio(a, b int64) float64 { return round(float64(a) / float64(max(b, 1))) }
