package critpath

import (
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkCriticalPath100k computes the critical path of the generated
// 100,000-span trace. Bytes are the trace's EPG JSON, so MB/s reads as
// trace data explained per second. In the same run it times the naive
// baseline (a scan of every span for the children of each span on the
// path; best of three) and reports how many times faster Compute is.
func BenchmarkCriticalPath100k(b *testing.B) {
	g, root := big()
	js, err := json.Marshal(g)
	if err != nil {
		b.Fatal(err)
	}
	naive := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		naiveSegments(g, root)
		naive = min(naive, time.Since(start))
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(js)))
	for b.Loop() {
		if _, err := Compute(g, root, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(naive.Nanoseconds()), "naive-ns/op")
	b.ReportMetric(float64(naive.Nanoseconds())/per, "x-faster")
}
