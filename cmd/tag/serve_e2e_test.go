package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// inventory is a small service instrumented with the real OpenTelemetry
// Go SDK: slog through the otelslog bridge, an error recorded with
// span.RecordError, and a panic recovered into an exception event.
type inventory struct {
	tracer trace.Tracer
	log    *slog.Logger
}

var errOutOfStock = errors.New("sku 1138 out of stock")

func reserve(sku string) error { return fmt.Errorf("reserve %s: %w", sku, errOutOfStock) }

func (s *inventory) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, span := s.tracer.Start(r.Context(), r.Method+" "+r.URL.Path, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.route", r.URL.Path)))
	defer span.End()
	s.log.InfoContext(ctx, "request received", "path", r.URL.Path)
	defer func() {
		if v := recover(); v != nil {
			err := fmt.Errorf("panic: %v", v)
			span.RecordError(err, trace.WithStackTrace(true))
			span.SetStatus(codes.Error, err.Error())
			s.log.WarnContext(ctx, "recovered from panic")
			w.WriteHeader(http.StatusInternalServerError)
		}
	}()
	switch r.URL.Path {
	case "/reserve":
		if err := reserve("1138"); err != nil {
			span.RecordError(err, trace.WithStackTrace(true))
			span.SetStatus(codes.Error, err.Error())
			w.WriteHeader(http.StatusConflict)
			return
		}
	case "/count":
		var counts map[string]int
		counts["sku"]++ // assignment to entry in nil map
	}
}

func exportFrom(t *testing.T, service string, te sdktrace.SpanExporter, le sdklog.Exporter, paths ...string) {
	t.Helper()
	res := resource.NewSchemaless(attribute.String("service.name", service))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(te), sdktrace.WithResource(res))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(le)), sdklog.WithResource(res))
	svc := &inventory{tracer: tp.Tracer("inventory"), log: otelslog.NewLogger("inventory", otelslog.WithLoggerProvider(lp))}
	web := httptest.NewServer(http.HandlerFunc(svc.serveHTTP))
	for _, p := range paths {
		resp, err := http.Get(web.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	web.Close()
	ctx := context.Background()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("%s: trace export: %v", service, err)
	}
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatalf("%s: log export: %v", service, err)
	}
}

// TestServeEndToEnd runs `tag serve`, exports from the OTel SDK over
// OTLP/HTTP and OTLP/gRPC, and reads the result back through `tag
// incidents --json` and `tag show --json`.
func TestServeEndToEnd(t *testing.T) {
	store := t.TempDir()
	srv := startServe(t, store)
	info := srv.info

	bg := context.Background()
	th, _ := otlptracehttp.New(bg, otlptracehttp.WithEndpoint(info.OTLPHTTP), otlptracehttp.WithInsecure())
	lh, _ := otlploghttp.New(bg, otlploghttp.WithEndpoint(info.OTLPHTTP), otlploghttp.WithInsecure())
	exportFrom(t, "inventory-http", th, lh, "/reserve", "/count")
	tg, _ := otlptracegrpc.New(bg, otlptracegrpc.WithEndpoint(info.OTLPGRPC), otlptracegrpc.WithInsecure())
	lg, _ := otlploggrpc.New(bg, otlploggrpc.WithEndpoint(info.OTLPGRPC), otlploggrpc.WithInsecure())
	exportFrom(t, "inventory-grpc", tg, lg, "/reserve", "/count")

	srv.stop(t)

	code, out, errOut := tag(t, "--store", store, "incidents", "--json")
	if code != 0 {
		t.Fatal(errOut)
	}
	var incidents []struct {
		ID, Kind, Service, Endpoint, Title string
	}
	if err := json.Unmarshal([]byte(out), &incidents); err != nil {
		t.Fatal(err)
	}
	// Two failures per service, each one incident of kind exception.
	got := map[string]string{}
	for _, in := range incidents {
		if in.Kind != "exception" {
			t.Errorf("incident %s kind %s, want exception", in.Title, in.Kind)
		}
		got[in.Service+" "+in.Endpoint] = in.ID
	}
	for _, want := range []string{"inventory-http /reserve", "inventory-http /count", "inventory-grpc /reserve", "inventory-grpc /count"} {
		if got[want] == "" {
			t.Errorf("no incident for %s (have %v)", want, got)
		}
	}
	if len(incidents) != 4 {
		t.Errorf("%d incidents, want 4: %s", len(incidents), out)
	}

	for key, id := range got {
		code, out, errOut := tag(t, "--store", store, "show", id, "--json")
		if code != 0 {
			t.Fatal(errOut)
		}
		var v struct {
			Evidence []struct {
				Kind     string `json:"kind"`
				Summary  string `json:"summary"`
				Location *struct {
					Function string `json:"function"`
					InApp    bool   `json:"in_app"`
				} `json:"location"`
			} `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatal(err)
		}
		var inAppFrames, logs int
		var funcs []string
		for _, e := range v.Evidence {
			switch e.Kind {
			case "frame":
				if e.Location != nil && e.Location.InApp {
					inAppFrames++
					funcs = append(funcs, e.Location.Function)
				}
			case "log":
				logs++
			}
		}
		// RecordError captures the stack where it is called: the handler.
		wantFunc := "(*inventory).serveHTTP"
		if inAppFrames == 0 || !strings.Contains(strings.Join(funcs, " "), wantFunc) {
			t.Errorf("%s: in-app frames %v lack %s", key, funcs, wantFunc)
		}
		if logs == 0 {
			t.Errorf("%s: no correlated logs in evidence", key)
		}
	}
}

// lockedWriter serialises writes from the server's goroutines.
type lockedWriter struct {
	mu chan struct{}
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return l.w.Write(p)
}

// runningServe is a `tag serve` started by a test.
type runningServe struct {
	info   serveInfo
	cancel context.CancelFunc
	done   chan int
	stderr *strings.Builder
}

// startServe runs `tag serve` on loopback ports chosen by the kernel and
// waits for it to say where it listens.
func startServe(t *testing.T, store string) *runningServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &runningServe{cancel: cancel, done: make(chan int, 1), stderr: &strings.Builder{}}
	pr, pw := io.Pipe()
	go func() {
		s.done <- run(ctx, []string{"--store", store, "serve", "--json", "--otlp-http", "127.0.0.1:0", "--otlp-grpc", "127.0.0.1:0", "--http", "127.0.0.1:0"}, pw, &lockedWriter{mu: make(chan struct{}, 1), w: s.stderr})
		pw.Close()
	}()
	if err := json.NewDecoder(pr).Decode(&s.info); err != nil {
		cancel()
		t.Fatalf("serve did not report its addresses: %v", err)
	}
	go io.Copy(io.Discard, pr)
	return s
}

// stop shuts serve down as SIGINT would and returns what it logged.
func (s *runningServe) stop(t *testing.T) string {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	return s.stderr.String()
}
