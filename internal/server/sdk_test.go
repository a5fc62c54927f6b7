package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/store"
)

// shop is a small service instrumented the way OTel Go users do it by
// hand: a server span per request, slog through the otelslog bridge
// with the span's context, errors and recovered panics recorded as
// exception events with their stack.
type shop struct {
	tracer trace.Tracer
	log    *slog.Logger
}

func (s *shop) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/pay", s.pay)
	mux.HandleFunc("/panic", s.crash)
	return mux
}

var errNoConfig = errors.New("open config.yaml: no such file or directory")

func loadConfig() error { return fmt.Errorf("load config: %w", errNoConfig) }

func (s *shop) pay(w http.ResponseWriter, r *http.Request) {
	ctx, span := s.tracer.Start(r.Context(), "POST /pay", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.route", "/pay")))
	defer span.End()
	s.log.InfoContext(ctx, "paying", "order", 42)
	if err := loadConfig(); err != nil {
		s.log.ErrorContext(ctx, "payment failed", "error", err)
		span.RecordError(err, trace.WithStackTrace(true))
		span.SetStatus(codes.Error, err.Error())
		http.Error(w, "payment failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *shop) crash(w http.ResponseWriter, r *http.Request) {
	ctx, span := s.tracer.Start(r.Context(), "GET /panic", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.route", "/panic")))
	defer span.End()
	defer func() {
		if v := recover(); v != nil {
			err := fmt.Errorf("panic: %v", v)
			span.RecordError(err, trace.WithStackTrace(true))
			span.SetStatus(codes.Error, err.Error())
			s.log.ErrorContext(ctx, "recovered panic", "panic", fmt.Sprint(v))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	var stock map[string]int
	stock["widget"]-- // assignment to entry in nil map
}

// exporters builds one transport's trace and log exporters.
type exporters func(ctx context.Context, srv *Server) (sdktrace.SpanExporter, sdklog.Exporter, error)

func httpExporters(ctx context.Context, srv *Server) (sdktrace.SpanExporter, sdklog.Exporter, error) {
	te, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(srv.HTTPAddr()), otlptracehttp.WithInsecure(),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
	if err != nil {
		return nil, nil, err
	}
	le, err := otlploghttp.New(ctx, otlploghttp.WithEndpoint(srv.HTTPAddr()), otlploghttp.WithInsecure())
	return te, le, err
}

func grpcExporters(ctx context.Context, srv *Server) (sdktrace.SpanExporter, sdklog.Exporter, error) {
	te, err := otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(srv.GRPCAddr()), otlptracegrpc.WithInsecure(),
		otlptracegrpc.WithCompressor("gzip"))
	if err != nil {
		return nil, nil, err
	}
	le, err := otlploggrpc.New(ctx, otlploggrpc.WithEndpoint(srv.GRPCAddr()), otlploggrpc.WithInsecure())
	return te, le, err
}

// runShop serves one request to each handler of a shop exporting through
// newExporters, then shuts the providers down, which flushes them.
func runShop(t *testing.T, srv *Server, service string, newExporters exporters) {
	t.Helper()
	ctx := context.Background()
	te, le, err := newExporters(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", service))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(te), sdktrace.WithResource(res))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(le)), sdklog.WithResource(res))
	app := &shop{tracer: tp.Tracer("shop"), log: otelslog.NewLogger("shop", otelslog.WithLoggerProvider(lp))}
	web := httptest.NewServer(app.routes())
	defer web.Close()
	for _, path := range []string{"/pay", "/panic"} {
		resp, err := http.Get(web.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Fatalf("%s answered %d", path, resp.StatusCode)
		}
	}
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("trace export to TAG: %v", err)
	}
	if err := lp.Shutdown(ctx); err != nil {
		t.Fatalf("log export to TAG: %v", err)
	}
}

// TestOpenTelemetrySDK exports from the real OpenTelemetry Go SDK, once
// over OTLP/HTTP and once over OTLP/gRPC, and checks what TAG made of it.
func TestOpenTelemetrySDK(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	services := map[string]exporters{"shop-http": httpExporters, "shop-grpc": grpcExporters}
	for service, exp := range services {
		runShop(t, srv, service, exp)
	}

	formats := map[string]int{}
	for _, a := range artifacts(t, st) {
		formats[a.Name]++
	}
	for _, name := range []string{"otlp-http /v1/traces", "otlp-http /v1/logs", "otlp-grpc /v1/traces", "otlp-grpc /v1/logs"} {
		if formats[name] == 0 {
			t.Errorf("nothing stored from %s: %v", name, formats)
		}
	}
	checkIncidents(t, st, services)

	g := storedGraph(t, st)
	checkLogCorrelation(t, g, services)
	checkExceptionFrames(t, g)
}

// checkIncidents wants exception incidents from both services.
func checkIncidents(t *testing.T, st store.Store, services map[string]exporters) {
	t.Helper()
	incs, err := st.Incidents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byService := map[string]int{}
	for _, inc := range incs {
		t.Logf("incident %s %s %q service=%s endpoint=%s", inc.ID, inc.Kind, inc.Title, inc.Service, inc.Endpoint)
		if inc.Kind == string(incident.KindException) {
			byService[inc.Service]++
		}
	}
	for service := range services {
		if byService[service] == 0 {
			t.Errorf("no exception incident for %s", service)
		}
	}
}

// checkLogCorrelation wants every log record of the handlers tied to its
// span: plain records correlate to it; "payment failed", which carries
// an error (the log SDK turns it into exception.* attributes), becomes
// an exception event the span emits.
func checkLogCorrelation(t *testing.T, g *epg.Graph, services map[string]exporters) {
	t.Helper()
	correlated, emitted := map[string]int{}, map[string]int{}
	g.Nodes(epg.KindEvent, func(i int32, n *epg.Node) bool {
		if _, fromLog := n.Attr(epg.AttrSeverity); !fromLog {
			return true
		}
		switch n.EventType() {
		case epg.EventLog:
			if spanAmong(g, g.Children(i, epg.EdgeCorrelates)) {
				correlated[n.Service]++
			} else {
				t.Errorf("log %q of %s is not correlated to its span", n.Name, n.Service)
			}
		case epg.EventException:
			if spanAmong(g, g.Parents(i, epg.EdgeEmits)) {
				emitted[n.Service]++
			} else {
				t.Errorf("logged exception %q of %s is not emitted by its span", n.Name, n.Service)
			}
		}
		return true
	})
	for service := range services {
		if correlated[service] != 2 || emitted[service] != 1 { // paying, recovered panic; payment failed
			t.Errorf("%s: %d correlated logs and %d logged exceptions, want 2 and 1", service, correlated[service], emitted[service])
		}
	}
}

func spanAmong(g *epg.Graph, nodes []int32) bool {
	for _, i := range nodes {
		if g.Node(i).Kind == epg.KindSpan {
			return true
		}
	}
	return false
}

// checkExceptionFrames wants the recorded stacks parsed into frames.
func checkExceptionFrames(t *testing.T, g *epg.Graph) {
	t.Helper()
	exceptions, withFrames := 0, 0
	g.Nodes(epg.KindEvent, func(i int32, n *epg.Node) bool {
		if n.EventType() != epg.EventException || n.Attrs.Str(epg.AttrExceptionStack) == "" {
			return true
		}
		exceptions++
		for _, p := range g.Parents(i, epg.EdgeEmits) {
			if g.Node(p).Kind == epg.KindFrame {
				withFrames++
				break
			}
		}
		return true
	})
	if exceptions < 4 {
		t.Fatalf("%d exception events with a stack, want 4 (2 per transport)", exceptions)
	}
	if withFrames != exceptions {
		t.Errorf("%d of %d exceptions have frames", withFrames, exceptions)
	}
	functions := map[string]bool{}
	g.Nodes(epg.KindFrame, func(_ int32, n *epg.Node) bool {
		if n.Loc != nil {
			functions[n.Loc.Function] = true
		}
		return true
	})
	for _, fn := range []string{"server.(*shop).pay", "server.(*shop).crash.func1"} {
		if !hasSuffix(functions, fn) {
			t.Errorf("no frame of %s among %d functions", fn, len(functions))
		}
	}
}

func hasSuffix(set map[string]bool, suffix string) bool {
	for s := range set {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}
