package rca_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/store"
	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// stock serialises every reservation on one mutex held across slow work,
// as the shop's inventory does.
type stock struct {
	mu sync.Mutex
	n  map[string]int
}

func (s *stock) reserve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	time.Sleep(60 * time.Millisecond)
	s.n[r.URL.Query().Get("sku")]++
}

// collected gathers the capsules a recorder keeps.
type collected struct {
	mu sync.Mutex
	cs []*capsule.Capsule
}

func (c *collected) Export(x *capsule.Capsule) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cs = append(c.cs, x)
	return nil
}

func (c *collected) Shutdown(context.Context) error { return nil }

// TestTimeoutNamesWhereLateRequestsWait: requests of different keys
// queued on one lock run late; their spans say only that the time was
// the handler's own, but the capture SDK's snapshot of them running late
// (real runtime, real SDK) shows them parked in Lock behind a holder
// asleep under it, and the report leads with that site and names the
// holder.
func TestTimeoutNamesWhereLateRequestsWait(t *testing.T) {
	caps := &collected{}
	rec, err := capture.New(capture.Options{Service: "stock", Exporter: caps, LatencyThreshold: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewSpanRecorder()
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("t")
	s := &stock{n: map[string]int{}}
	mw := rec.Middleware("GET /reserve", http.HandlerFunc(s.reserve))
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			req := httptest.NewRequest("GET", "/reserve?sku=k"+string(rune('0'+i)), nil)
			ctx, span := tracer.Start(req.Context(), "GET /reserve", trace.WithSpanKind(trace.SpanKindServer))
			mw.ServeHTTP(httptest.NewRecorder(), req.WithContext(ctx))
			span.End()
		})
	}
	wg.Wait()
	if err := rec.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	files := []string{writeSpans(t, dir, spans.Ended())}
	for _, c := range caps.cs {
		data, err := capsule.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, c.ID+".json"))
		if err := os.WriteFile(files[len(files)-1], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &ingest.Pipeline{Store: st, Detect: incident.Options{Deadline: 200 * time.Millisecond}}
	if _, err := p.Files(ctx, files, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil || len(ins) != 1 || ins[0].Kind != "timeout" {
		t.Fatalf("incidents %+v %v", ins, err)
	}
	v, err := inspect.Load(ctx, st, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r := rca.Analyze(v)
	t.Logf("root cause: %s", r.RootCause.Summary)
	top := r.Candidates[0]
	if !strings.HasSuffix(top.Function, ".(*stock).reserve") || !strings.HasSuffix(top.File, "late_test.go") ||
		!strings.Contains(top.Why, "GET /reserve goroutines wait here [sync.Mutex.Lock]") || !strings.Contains(top.Why, "across slow work [sleep]") {
		t.Errorf("top candidate %+v", top)
	}
	for i, c := range r.Candidates {
		if strings.Contains(c.Why, "critical path") && i < 2 {
			t.Errorf("the span's own work ranks %d, above where the requests waited: %+v", i, r.Candidates)
		}
	}
}

// writeSpans writes ended SDK spans as an OTLP/JSON file, server spans
// of service "stock".
func writeSpans(t *testing.T, dir string, ended []sdktrace.ReadOnlySpan) string {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "stock")
	ss := rs.ScopeSpans().AppendEmpty()
	for _, e := range ended {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID(e.SpanContext().TraceID()))
		s.SetSpanID(pcommon.SpanID(e.SpanContext().SpanID()))
		s.SetKind(ptrace.SpanKindServer)
		s.SetName(e.Name())
		s.Attributes().PutStr("http.route", "/reserve")
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(e.StartTime()))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(e.EndTime()))
	}
	js, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "spans.json")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
