package diff

import (
	"reflect"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
)

// TestNaiveAgrees holds the benchmark's baseline to the same answers.
func TestNaiveAgrees(t *testing.T) {
	for _, s := range []*cohort.Split{ct.OrdersSplit(t, 200, 5), ct.Shop(t, 40, 3)} {
		opt := Options{TopN: 1000}.withDefaults()
		fast, naive := attributes(s.Failing, s.Healthy, opt), naiveAttributes(s.Failing, s.Healthy, opt)
		if len(fast.Divergent) == 0 || len(fast.Divergent) != len(naive.Divergent) || fast.SkippedKeys != naive.SkippedKeys {
			t.Fatalf("fast %+v\nnaive %+v", fast, naive)
		}
		for i := range fast.Divergent {
			f, n := fast.Divergent[i], naive.Divergent[i]
			if len(f.Nodes) != len(n.Nodes) {
				t.Errorf("%d: nodes %v vs %v", i, f.Nodes, n.Nodes)
			}
			f.Nodes, n.Nodes = nil, nil
			if !reflect.DeepEqual(f, n) {
				t.Errorf("%d: fast %+v\nnaive %+v", i, f, n)
			}
		}
		if top := fast.Divergent[0]; top.Key != "region" || top.Value != "eu-west-1" {
			t.Errorf("top = %+v", top)
		}
	}
}

const benchHealthy, benchFailing = 1000, 10

// perOp runs fn at least once and for at least 300 ms and returns its
// time per run. (A nested testing.Benchmark would wait on the lock this benchmark
// holds.)
func perOp(fn func()) time.Duration {
	n, start := 0, time.Now()
	for n < 1 || time.Since(start) < 300*time.Millisecond {
		fn()
		n++
	}
	return time.Since(start) / time.Duration(n)
}

func spanCount(s *cohort.Split) int {
	n := 0
	for _, ts := range [][]*cohort.Trace{s.Failing, s.Healthy} {
		for _, t := range ts {
			n += len(t.Spans)
		}
	}
	return n
}

// benchAgainstNaive times fn per op and compares it with the naive
// attribute divergence measured in the same run, before and after; the
// faster baseline counts, so noise can only make the ratio look worse.
func benchAgainstNaive(b *testing.B, s *cohort.Split, fn func()) {
	opt := Options{}.withDefaults()
	naive := func() { naiveAttributes(s.Failing, s.Healthy, opt) }
	base := perOp(naive)
	b.ReportAllocs()
	b.ResetTimer()
	start, n := time.Now(), 0
	for b.Loop() {
		fn()
		n++
	}
	per := time.Since(start) / time.Duration(n)
	b.StopTimer()
	base = min(base, perOp(naive))
	b.ReportMetric(float64(spanCount(s))/per.Seconds(), "spans/s")
	b.ReportMetric(float64(base.Microseconds())/1e3, "naive-ms/op")
	b.ReportMetric(float64(base)/float64(per), "x-faster")
}

// BenchmarkAttributes: the BubbleUp section alone over 1000 healthy and
// 10 failing traces (~23k spans), against the naive pairwise scan.
func BenchmarkAttributes(b *testing.B) {
	s := ct.OrdersSplit(b, benchHealthy, benchFailing)
	opt := Options{}.withDefaults()
	benchAgainstNaive(b, s, func() { attributes(s.Failing, s.Healthy, opt) })
}

// BenchmarkCompare: the whole diff (structure, timing, attributes) over
// the same cohort, still against the naive attribute section alone.
func BenchmarkCompare(b *testing.B) {
	s := ct.OrdersSplit(b, benchHealthy, benchFailing)
	benchAgainstNaive(b, s, func() { Compare(s, Options{}) })
}

// BenchmarkAssembleCompare: from the EPG: load every trace of the graph,
// pick the cohort, and diff.
func BenchmarkAssembleCompare(b *testing.B) {
	g, ids := ct.OrdersGraph(benchHealthy, benchFailing)
	refs := make([]cohort.Ref, len(ids))
	for i, id := range ids {
		refs[i] = cohort.Ref{Graph: g, TraceID: id}
	}
	s, err := cohort.Assemble(refs, g)
	if err != nil {
		b.Fatal(err)
	}
	benchAgainstNaive(b, s, func() {
		s, err := cohort.Assemble(refs, g)
		if err != nil {
			b.Fatal(err)
		}
		Compare(s, Options{})
	})
}
