package slice_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/analysis/slice"
)

// benchGraph is the million-node graph and its SQLite copy, built once
// for every benchmark of the run and outside their timers.
var benchGraph struct {
	once sync.Once
	gg   *genGraph
	w    *slice.Walker
	db   *sql.DB
	err  error
}

// bigSize generates about 1M nodes and 5M edges.
var bigSize = genSize{traces: 3680, services: 8, threads: 32, locks: 16, seed: 1}

func loadBenchGraph(b *testing.B) (*genGraph, *slice.Walker, *sql.DB) {
	bg := &benchGraph
	bg.once.Do(func() {
		t0 := time.Now()
		bg.gg = generate(bigSize)
		bg.w = slice.NewWalker(bg.gg.g)
		t1 := time.Now()
		bg.db, bg.err = loadSQLite(bg.gg.g)
		b.Logf("generated %d nodes, %d edges in %v; SQLite copy in %v",
			bg.gg.g.NumNodes(), bg.gg.g.NumEdges(), t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	})
	if bg.err != nil {
		b.Fatal(bg.err)
	}
	return bg.gg, bg.w, bg.db
}

// benchStarts names the failure signals the benchmark slices from.
func benchStarts(w *slice.Walker, gg *genGraph) []struct {
	name  string
	start int32
	runs  int // how many times to run the slow baseline
} {
	// A typical exception: the latest whose slice reaches past its own
	// trace into the heap (a thousand nodes or more).
	exc := gg.exceptions[len(gg.exceptions)-1]
	for i := len(gg.exceptions) - 1; i >= 0; i-- {
		if len(w.Backward(gg.exceptions[i:i+1], slice.Options{}).Nodes) >= 1000 {
			exc = gg.exceptions[i]
			break
		}
	}
	shared, _ := gg.g.Lookup("object:shared:1:1")
	return []struct {
		name  string
		start int32
		runs  int
	}{
		{"exception", exc, 5},
		{"blocked", gg.blocked[len(gg.blocked)-1], 3},
		// Who retains a shared object: about 40% of the graph.
		{"retainers", shared, 1},
	}
}

// BenchmarkBackward times a backward slice on a generated EPG of about 1M
// nodes and 5M edges, and in the same run the same slice computed by a
// recursive CTE over the same graph in SQLite (reported as cte-ms/op; the
// ratio as x-faster). SetBytes counts the adjacency bytes the walk reads.
func BenchmarkBackward(b *testing.B) {
	gg, w, db := loadBenchGraph(b)
	rules := slice.BackwardRules()
	for _, c := range benchStarts(w, gg) {
		b.Run(c.name, func(b *testing.B) {
			starts := []int32{c.start}
			var res *slice.Result
			b.ReportAllocs()
			for b.Loop() {
				res = w.Backward(starts, slice.Options{})
			}
			perOp := b.Elapsed() / time.Duration(b.N)
			b.SetBytes(int64(res.Walked) * 8) // one 8-byte adjacency slot per edge crossed
			t0 := time.Now()
			var want []int32
			for range c.runs {
				var err error
				if want, err = cteSlice(context.Background(), db, rules, c.start); err != nil {
					b.Fatal(err)
				}
			}
			cte := time.Since(t0) / time.Duration(c.runs)
			if len(want) != len(res.Nodes) {
				b.Fatalf("CTE found %d nodes, the walk %d", len(want), len(res.Nodes))
			}
			b.ReportMetric(float64(len(res.Nodes)), "nodes")
			b.ReportMetric(float64(cte)/1e6, "cte-ms/op")
			b.ReportMetric(float64(cte)/float64(perOp), "x-faster")
		})
	}
}
