package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/store"
)

// goStack is what runtime/debug.Stack writes, as OTel Go records it.
const goStack = `goroutine 7 [running]:
main.loadConfig({0xc000012345, 0xb})
	/src/shop/config.go:44 +0x1d
main.(*handler).pay(0xc0000a2000)
	/src/shop/pay.go:27 +0x65
main.main()
	/src/shop/main.go:47 +0x25
`

// testLogger sends the server's log lines to the test log (benchmarks
// discard them).
func testLogger(t testing.TB) *slog.Logger {
	if _, bench := t.(*testing.B); bench {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimRight(p, "\n")))
	return len(p), nil
}

// openStore opens a real SQLite store in a temporary directory.
func openStore(t testing.TB) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// testConfig is the default configuration on loopback ports chosen by the
// kernel.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.OTLPHTTPAddr = "127.0.0.1:0"
	cfg.OTLPGRPCAddr = "127.0.0.1:0"
	return cfg
}

// startServer runs a server storing into st until the test ends.
func startServer(t testing.TB, cfg Config, st store.Store) *Server {
	t.Helper()
	srv := New(cfg, pipelineFor(st), testLogger(t))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv
}

func pipelineFor(st store.Store) *ingest.Pipeline { return &ingest.Pipeline{Store: st} }

// gatedStore holds every Ingest until the gate opens, so a test can fill
// the queue behind a busy worker.
type gatedStore struct {
	store.Store
	entered chan struct{}
	gate    chan struct{}
}

func newGatedStore(st store.Store) *gatedStore {
	return &gatedStore{Store: st, entered: make(chan struct{}, 100), gate: make(chan struct{})}
}

// Ingest waits for the gate, then stores.
func (g *gatedStore) Ingest(ctx context.Context, arts []store.Artifact, detect store.DetectFunc) (*store.IngestResult, error) {
	g.entered <- struct{}{}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Store.Ingest(ctx, arts, detect)
}

var _ store.Store = (*gatedStore)(nil)

func traceID(seed byte) pcommon.TraceID {
	return pcommon.TraceID{0x7a, seed, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, seed}
}

func spanID(seed, n byte) pcommon.SpanID { return pcommon.SpanID{0x5b, seed, n, 3, 4, 5, 6, n} }

// failingTraces is one server span of service "checkout" that failed
// with a recorded exception; seed makes its IDs (and so its bytes)
// unique.
func failingTraces(seed byte) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName("shop")
	sp := ss.Spans().AppendEmpty()
	sp.SetTraceID(traceID(seed))
	sp.SetSpanID(spanID(seed, 1))
	sp.SetName("POST /pay")
	sp.SetKind(ptrace.SpanKindServer)
	start := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(30 * time.Millisecond)))
	sp.Attributes().PutStr("http.route", "/pay")
	sp.Status().SetCode(ptrace.StatusCodeError)
	sp.Status().SetMessage("open config.yaml: no such file")
	ev := sp.Events().AppendEmpty()
	ev.SetName("exception")
	ev.SetTimestamp(pcommon.NewTimestampFromTime(start.Add(20 * time.Millisecond)))
	ev.Attributes().PutStr("exception.type", "*fs.PathError")
	ev.Attributes().PutStr("exception.message", "open config.yaml: no such file")
	ev.Attributes().PutStr("exception.stacktrace", goStack)
	return td
}

// errorLogs is one ERROR record inside failingTraces(seed)'s span.
func errorLogs(seed byte) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.SetTimestamp(pcommon.NewTimestampFromTime(time.Date(2025, 5, 1, 12, 0, 0, 25e6, time.UTC)))
	lr.SetSeverityNumber(plog.SeverityNumberError)
	lr.SetSeverityText("ERROR")
	lr.Body().SetStr("payment failed")
	lr.SetTraceID(traceID(seed))
	lr.SetSpanID(spanID(seed, 1))
	return ld
}

// post sends one OTLP/HTTP request and returns the response and its body.
func post(t testing.TB, url, contentType, contentEncoding string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if contentEncoding != "" {
		req.Header.Set("Content-Encoding", contentEncoding)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, data
}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// artifacts lists what the store holds.
func artifacts(t testing.TB, st store.Store) []store.ArtifactInfo {
	t.Helper()
	arts, err := st.Artifacts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

// incidentKinds counts stored incidents by kind.
func incidentKinds(t testing.TB, st store.Store) map[string]int {
	t.Helper()
	incs, err := st.Incidents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, inc := range incs {
		kinds[inc.Kind]++
	}
	return kinds
}

// storedGraph joins every stored fragment into one graph.
func storedGraph(t testing.TB, st store.Store) *epg.Graph {
	t.Helper()
	var ids []int64
	for _, a := range artifacts(t, st) {
		ids = append(ids, a.ID)
	}
	frags, err := st.Fragments(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	b := epg.NewBuilder()
	for _, f := range frags {
		b.Add(f)
	}
	return b.Build()
}
