package epg_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// benchFragments returns nFrags trace fragments of perFrag spans each plus,
// per fragment, a log fragment whose logs join by span and by time.
func benchFragments(nFrags, perFrag int) []*epg.Fragment {
	r := rand.New(rand.NewPCG(1, 1))
	var out []*epg.Fragment
	for f := range nFrags {
		trace := fmt.Sprintf("%032x", f)
		svc := fmt.Sprint("svc", f%7)
		spans := &epg.Fragment{Source: "traces-" + trace, Format: "otlp-json", Policy: "p1"}
		logs := &epg.Fragment{Source: "logs-" + trace, Format: "otlp-json", Policy: "p1"}
		for i := range perFrag {
			sid := fmt.Sprintf("%016x", i)
			start := int64(1_000_000 + i*10)
			spans.Nodes = append(spans.Nodes, epg.Node{
				ID: epg.SpanNodeID(trace, sid), Kind: epg.KindSpan, Name: "op", Service: svc,
				Start: start, End: start + int64(1000-i%1000), Trace: epg.TraceRef{TraceID: trace, SpanID: sid},
				Attrs: epg.Attrs{{Key: epg.AttrHTTPRoute, Value: epg.String("/x")}, {Key: epg.AttrStatusCode, Value: epg.String("ok")}},
			})
			if i > 0 {
				parent := fmt.Sprintf("%016x", r.IntN(i))
				spans.Edges = append(spans.Edges, epg.Edge{From: epg.SpanNodeID(trace, parent), To: epg.SpanNodeID(trace, sid), Kind: epg.EdgeCall})
			}
			if i%4 == 0 {
				lg := logEvent(fmt.Sprintf("log:%s:%d", trace, i), trace, sid, svc, start+1)
				if i%8 == 0 {
					lg.Trace = epg.TraceRef{} // joined by time instead
				}
				logs.Nodes = append(logs.Nodes, lg)
			}
		}
		out = append(out, logs, spans)
	}
	return out
}

func BenchmarkBuild(b *testing.B) {
	frags := benchFragments(100, 800) // 80k spans + 20k logs
	nodes, size := 0, 0
	for _, f := range frags {
		nodes += len(f.Nodes)
		enc, err := epg.MarshalFragment(f)
		if err != nil {
			b.Fatal(err)
		}
		size += len(enc)
	}
	b.SetBytes(int64(size)) // throughput relative to the encoded input
	b.ReportAllocs()
	for b.Loop() {
		build(frags)
	}
	b.ReportMetric(float64(nodes)*float64(b.N)/b.Elapsed().Seconds(), "nodes/s")
}

// bigGraph is a random call tree of n nodes plus extra random edges.
func bigGraph(n, extra int) *epg.Graph {
	r := rand.New(rand.NewPCG(2, 2))
	bl := epg.NewBuilder()
	ids := make([]string, n)
	for i := range n {
		ids[i] = fmt.Sprint("n", i)
		bl.AddNode(epg.Node{ID: ids[i], Kind: epg.KindFrame})
		if i > 0 {
			bl.AddEdge(epg.Edge{From: ids[r.IntN(i)], To: ids[i], Kind: epg.EdgeCall})
		}
	}
	for range extra {
		bl.AddEdge(epg.Edge{From: ids[r.IntN(n)], To: ids[r.IntN(n)], Kind: epg.EdgeHappensBefore})
	}
	return bl.Build()
}

func BenchmarkWalk(b *testing.B) {
	const n = 1_000_000
	g := bigGraph(n, 2*n)
	start := []int32{int32(n - 1)}
	b.Run("csr/both", func(b *testing.B) {
		b.ReportAllocs()
		visited := 0
		for b.Loop() {
			visited = 0
			g.Walk(start, epg.Both, nil, func(int32, int) bool { visited++; return true })
		}
		b.ReportMetric(float64(visited), "nodes/op")
		b.ReportMetric(float64(g.NumEdges()), "edges/op")
	})
	b.Run("csr/backward-call", func(b *testing.B) {
		b.ReportAllocs()
		visited := 0
		follow := func(e int32) bool { return g.Edge(e).Kind == epg.EdgeCall }
		for b.Loop() {
			visited = 0
			g.Walk(start, epg.Backward, follow, func(int32, int) bool { visited++; return true })
		}
		b.ReportMetric(float64(visited), "nodes/op")
	})
	// The comparison target: the same walk over map-of-slices adjacency.
	b.Run("map/both", func(b *testing.B) {
		adj := map[string][]string{}
		for e := int32(0); int(e) < g.NumEdges(); e++ {
			ed := g.Edge(e)
			adj[ed.From] = append(adj[ed.From], ed.To)
			adj[ed.To] = append(adj[ed.To], ed.From)
		}
		b.ReportAllocs()
		b.ResetTimer()
		visited := 0
		for b.Loop() {
			seen := map[string]bool{g.Node(start[0]).ID: true}
			queue := []string{g.Node(start[0]).ID}
			for len(queue) > 0 {
				x := queue[0]
				queue = queue[1:]
				for _, y := range adj[x] {
					if !seen[y] {
						seen[y] = true
						queue = append(queue, y)
					}
				}
			}
			visited = len(seen)
		}
		b.ReportMetric(float64(visited), "nodes/op")
	})
}

func BenchmarkMarshalFragment(b *testing.B) {
	g := build(benchFragments(10, 1000))
	f := g.Fragment()
	enc, err := epg.MarshalFragment(f)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("proto", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := epg.MarshalFragment(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) { // the comparison target
		js, _ := json.Marshal(f)
		b.SetBytes(int64(len(js)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(f); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnmarshalFragment(b *testing.B) {
	enc, err := epg.MarshalFragment(build(benchFragments(10, 1000)).Fragment())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := epg.UnmarshalFragment(enc); err != nil {
			b.Fatal(err)
		}
	}
}
