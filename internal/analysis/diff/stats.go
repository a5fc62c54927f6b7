package diff

import (
	"cmp"
	"math"
	"slices"
)

// quantile returns the nearest-rank q-quantile of xs, which it sorts.
func quantile[T cmp.Ordered](xs []T, q float64) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	slices.Sort(xs)
	k := int(math.Ceil(q*float64(len(xs)))) - 1
	return xs[min(max(k, 0), len(xs)-1)]
}

// summary is the distribution of a per-trace measure.
type summary struct {
	median, p95 int64
	mean, sd    float64
}

func summarize(xs []int64) summary {
	s := append([]int64(nil), xs...)
	var sum float64
	for _, x := range s {
		sum += float64(x)
	}
	out := summary{median: quantile(s, 0.5), p95: quantile(s, 0.95)}
	if len(s) == 0 {
		return out
	}
	out.mean = sum / float64(len(s))
	var sq float64
	for _, x := range s {
		d := float64(x) - out.mean
		sq += d * d
	}
	out.sd = math.Sqrt(sq / float64(len(s)))
	return out
}

// round keeps reported ratios and shares short and stable in JSON.
func round(x float64) float64 { return math.Round(x*1000) / 1000 }
