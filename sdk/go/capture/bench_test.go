package capture_test

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// discardSpans is an OTel exporter that drops batches, so the benchmark
// measures the request path, not an exporter.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// benchHandler is a small realistic handler: decode a JSON order, price
// it, answer JSON.
var benchHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	var o struct {
		SKU    string  `json:"sku"`
		Qty    int     `json:"qty"`
		Amount float64 `json:"amount"`
		Email  string  `json:"email"`
	}
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"sku": o.SKU, "total": float64(o.Qty) * o.Amount * 0.9})
})

// otelWrap is the server span the way OpenTelemetry's HTTP instrumentation
// makes it.
func otelWrap(tr trace.Tracer, route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := tr.Start(r.Context(), route, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route)))
		defer span.End()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// benchVariant is one way of serving benchHandler.
type benchVariant struct {
	name string
	h    http.Handler
}

// captureVariants are the handler bare, behind OTel, and behind OTel +
// capture keeping 10%, 0% and 100% of requests; the ratios index them
// (bare, otel, 10%, 0%, 100%).
func captureVariants(b *testing.B, tr trace.Tracer) []benchVariant {
	discard := capture.FuncExporter(func(*capsule.Capsule) error { return nil })
	rec := func(rate float64) *capture.Recorder {
		r, err := capture.New(capture.Options{Service: "bench", Exporter: discard, SampleRate: rate,
			BodyFields: []string{"sku", "qty", "amount"}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Shutdown(context.Background()) })
		return r
	}
	return []benchVariant{
		{"bare", benchHandler},
		{"otel", otelWrap(tr, "POST /order", benchHandler)},
		{"otel+tag-10%", otelWrap(tr, "POST /order", rec(0.1).Middleware("POST /order", benchHandler))},
		{"otel+tag-0%", otelWrap(tr, "POST /order", rec(0).Middleware("POST /order", benchHandler))},
		{"otel+tag-100%", otelWrap(tr, "POST /order", rec(1).Middleware("POST /order", benchHandler))},
	}
}

const benchBody = `{"sku":"sku-4","qty":3,"amount":12.5,"email":"someone@example.com"}`

// BenchmarkCaptureOverhead serves one handler four ways in the same run —
// bare, OpenTelemetry only, OpenTelemetry + TAG capture keeping 10% of
// requests, and keeping 100% — interleaving them in rounds so machine
// noise hits all alike, and reports each variant's p50 latency and
// allocations per request and the ratios against OTel only. Issue 6's
// target: capture at 10% adds ≤ 5% to OTel-only p50.
func BenchmarkCaptureOverhead(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}, sdktrace.WithMaxQueueSize(1<<16)))
	defer tp.Shutdown(context.Background())
	tr := tp.Tracer("bench")
	variants := captureVariants(b, tr)
	const round = 200
	lat := make([][]time.Duration, len(variants))
	allocs := make([]uint64, len(variants))
	counts := make([]int, len(variants))
	one := func(h http.Handler) {
		req := httptest.NewRequest("POST", "/order", strings.NewReader(benchBody))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
	}
	for _, v := range variants { // warm up
		for range round {
			one(v.h)
		}
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.ResetTimer()
	var ms runtime.MemStats
	order := make([]int, len(variants))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for done := 0; done < b.N; {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			v := variants[i]
			n := min(round, b.N-done)
			if n <= 0 {
				break
			}
			runtime.ReadMemStats(&ms)
			before := ms.Mallocs
			for range n {
				t0 := time.Now()
				one(v.h)
				lat[i] = append(lat[i], time.Since(t0))
			}
			runtime.ReadMemStats(&ms)
			allocs[i] += ms.Mallocs - before
			counts[i] += n
		}
		done += round
	}
	b.StopTimer()
	p50 := make([]float64, len(variants))
	for i, v := range variants {
		if len(lat[i]) == 0 {
			return
		}
		slices.Sort(lat[i])
		p50[i] = float64(lat[i][len(lat[i])/2].Nanoseconds())
		b.ReportMetric(p50[i], "p50-ns/"+v.name)
		b.ReportMetric(float64(allocs[i])/float64(counts[i]), "allocs/"+v.name)
	}
	b.ReportMetric(p50[1]/p50[0], "p50-ratio/otel:bare")
	b.ReportMetric(p50[2]/p50[1], "p50-ratio/tag10:otel")
	b.ReportMetric(p50[4]/p50[1], "p50-ratio/tag100:otel")
	b.ReportMetric((float64(allocs[2])/float64(counts[2]))/(float64(allocs[1])/float64(counts[1])), "alloc-ratio/tag10:otel")
}

// BenchmarkCaptureOverheadHTTP is BenchmarkCaptureOverhead as a client
// sees it: each variant behind a real HTTP server on loopback, one
// keep-alive client, p50 of the round trip.
func BenchmarkCaptureOverheadHTTP(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}, sdktrace.WithMaxQueueSize(1<<16)))
	defer tp.Shutdown(context.Background())
	tr := tp.Tracer("bench")
	variants := captureVariants(b, tr)
	urls := make([]string, len(variants))
	for i, v := range variants {
		srv := httptest.NewServer(v.h)
		b.Cleanup(srv.Close)
		urls[i] = srv.URL + "/order"
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	one := func(u string) {
		resp, err := client.Post(u, "application/json", strings.NewReader(benchBody))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	const round = 100
	lat := make([][]time.Duration, len(variants))
	for _, u := range urls {
		for range round {
			one(u)
		}
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	b.ResetTimer()
	order := make([]int, len(urls))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for done := 0; done < b.N; done += round {
		// A new order each round, so no variant always follows the one
		// whose garbage the collector is busy with.
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			u := urls[i]
			for range min(round, b.N-done) {
				t0 := time.Now()
				one(u)
				lat[i] = append(lat[i], time.Since(t0))
			}
		}
	}
	b.StopTimer()
	p50 := make([]float64, len(variants))
	for i, v := range variants {
		if len(lat[i]) == 0 {
			return
		}
		slices.Sort(lat[i])
		p50[i] = float64(lat[i][len(lat[i])/2].Nanoseconds())
		b.ReportMetric(p50[i], "p50-ns/"+v.name)
	}
	b.ReportMetric(p50[2]/p50[1], "p50-ratio/tag10:otel")
	b.ReportMetric(p50[4]/p50[1], "p50-ratio/tag100:otel")
}
