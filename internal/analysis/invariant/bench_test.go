package invariant_test

import (
	"testing"

	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
	"github.com/tagdebug/tag/internal/analysis/invariant"
)

// BenchmarkMineCheck mines 1000 healthy traces (~23k spans) and checks
// 10 failing ones.
func BenchmarkMineCheck(b *testing.B) {
	s := ct.OrdersSplit(b, 1000, 10)
	spans := 0
	for _, t := range s.Healthy {
		spans += len(t.Spans)
	}
	b.ReportAllocs()
	for b.Loop() {
		invariant.Run(s, invariant.Options{})
	}
	b.ReportMetric(float64(spans)*float64(b.N)/b.Elapsed().Seconds(), "spans/s")
}
