package ingest

import (
	"context"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/store"
)

// benchSpans is the size of one export request, as an SDK batch processor
// sends them (its default max batch is 512).
const benchSpans = 512

// otlpRequest builds an OTLP/protobuf trace export of n spans with 10
// attributes each, in traces of 8 spans, one in 50 of them failing. seed
// makes the trace IDs unique per request.
func otlpRequest(seed uint64, n int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	rs.Resource().Attributes().PutStr("service.version", "1.4.2")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp")
	base := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		s := ss.Spans().AppendEmpty()
		var tid pcommon.TraceID
		binary.BigEndian.PutUint64(tid[:8], seed)
		binary.BigEndian.PutUint64(tid[8:], uint64(i/8)+1)
		var sid pcommon.SpanID
		binary.BigEndian.PutUint64(sid[:], uint64(i)+1)
		s.SetTraceID(tid)
		s.SetSpanID(sid)
		if i%8 != 0 {
			var pid pcommon.SpanID
			binary.BigEndian.PutUint64(pid[:], uint64(i-i%8)+1)
			s.SetParentSpanID(pid)
		}
		s.SetName(fmt.Sprintf("GET /cart/{id} %d", i%8))
		s.SetKind(ptrace.SpanKindServer)
		start := base.Add(time.Duration(i) * time.Millisecond)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(3 * time.Millisecond)))
		a := s.Attributes()
		a.PutStr("http.request.method", "GET")
		a.PutStr("http.route", "/cart/{id}")
		a.PutInt("http.response.status_code", 200)
		a.PutStr("url.path", fmt.Sprintf("/cart/%d", i))
		a.PutStr("server.address", "checkout.internal")
		a.PutInt("server.port", 8080)
		a.PutStr("network.protocol.version", "1.1")
		a.PutStr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)")
		a.PutDouble("cart.total", 42.5)
		a.PutBool("cart.cached", i%3 == 0)
		if i%50 == 7 {
			s.Status().SetCode(ptrace.StatusCodeError)
			s.Status().SetMessage("cart 17 not found")
		}
	}
	b, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkIngestOTLP measures spans/s through decode → EPG → redact →
// store (one SQLite transaction per request, incidents derived) and, in
// the same run, bare pdata protobuf decode of the same bytes as the
// baseline. It reports both rates and their ratio (target ≥ 0.25).
// "default-policy" is what tag ingest and tag serve run: the built-in
// policy and every detector over every value; "no-policy" is the path of
// issue 2's definition (decode → EPG → store) with only the policy stamp.
func BenchmarkIngestOTLP(b *testing.B) {
	eng, err := redact.New(nil, make([]byte, redact.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("default-policy", func(b *testing.B) { benchIngestOTLP(b, eng) })
	b.Run("no-policy", func(b *testing.B) { benchIngestOTLP(b, nil) })
}

func benchIngestOTLP(b *testing.B, r redact.Redactor) {
	sample := otlpRequest(1, benchSpans)
	// The baseline runs for at least as many requests as the full path and
	// at least half a second, once before and once after it; the faster
	// run counts, so noise can only make the ratio look worse. (A nested
	// testing.Benchmark would wait forever on the lock this one holds.)
	baseline := func() float64 {
		n, start := 0, time.Now()
		for n < b.N || time.Since(start) < 500*time.Millisecond {
			req := ptraceotlp.NewExportRequest()
			if err := req.UnmarshalProto(sample); err != nil {
				b.Fatal(err)
			}
			n++
		}
		return float64(benchSpans) * float64(n) / time.Since(start).Seconds()
	}
	baseSpansPerSec := baseline()

	st, err := store.OpenSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	p := &Pipeline{Store: st, Redactor: r}
	// Distinct payloads, so that no request is skipped as already stored.
	payloads := make([][]byte, b.N)
	for i := range payloads {
		payloads[i] = otlpRequest(uint64(i)+1, benchSpans)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(sample)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		in := &evidence.Input{Name: "bench", Data: payloads[i]}
		if _, err := p.Bytes(ctx, in, "otlp-proto"); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	fullSpansPerSec := float64(benchSpans) * float64(b.N) / elapsed.Seconds()
	baseSpansPerSec = max(baseSpansPerSec, baseline())
	b.ReportMetric(fullSpansPerSec, "spans/s")
	b.ReportMetric(baseSpansPerSec, "baseline-spans/s")
	b.ReportMetric(fullSpansPerSec/baseSpansPerSec, "ratio")
}
