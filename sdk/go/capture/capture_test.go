package capture_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
	"github.com/tagdebug/tag/sdk/go/replay"
)

// sink collects exported capsules.
type sink struct {
	mu   sync.Mutex
	cs   []*capsule.Capsule
	recs []*capture.Recorder
}

func (s *sink) Export(c *capsule.Capsule) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cs = append(s.cs, c)
	return nil
}

func (s *sink) Shutdown(context.Context) error { return nil }

func (s *sink) all() []*capsule.Capsule {
	for _, r := range s.recs {
		r.Flush(context.Background())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*capsule.Capsule(nil), s.cs...)
}

func newRecorder(t *testing.T, opts capture.Options) (*capture.Recorder, *sink) {
	t.Helper()
	s := &sink{}
	if opts.Service == "" {
		opts.Service = "svc"
	}
	opts.Exporter = s
	r, err := capture.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Shutdown(context.Background()) })
	s.recs = append(s.recs, r)
	return r, s
}

func serve(h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestEdgeRedaction: only allowlisted values leave in the clear, and even
// those pass the detectors; the rest keep their shape as tokens.
func TestEdgeRedaction(t *testing.T) {
	r, s := newRecorder(t, capture.Options{BodyFields: []string{"sku", "note"}, HeaderAllowlist: []string{"X-Request-Id"}})
	gen := redacttest.NewGen(3)
	sec := gen.Secrets()
	card := gen.PII()[0].Secret
	h := r.Middleware("POST /buy", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		if !strings.Contains(string(b), "sku-1") {
			t.Errorf("the handler did not get the body: %q", b)
		}
		w.WriteHeader(500)
	}))
	body, _ := json.Marshal(map[string]any{"sku": "sku-1", "qty": 2, "name": "Ada Lovelace", "card": card, "note": sec[0].Secret})
	serve(h, "POST", "/buy?coupon=SPRING&sku=sku-1", string(body), map[string]string{
		"Authorization": "Bearer " + sec[1].Secret, "X-Api-Key": sec[2].Secret, "X-Request-Id": "req-42", "Cookie": "sid=" + sec[3].Secret})
	cs := s.all()
	if len(cs) != 1 {
		t.Fatalf("%d capsules, want 1 (a 500)", len(cs))
	}
	c := cs[0]
	out, _ := json.Marshal(c)
	for _, p := range []string{sec[0].Secret, sec[1].Secret, sec[2].Secret, sec[3].Secret, card, "Ada Lovelace", "SPRING"} {
		if strings.Contains(string(out), p) {
			t.Errorf("capsule carries %.8s…", p)
		}
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(c.Request.Body), &got); err != nil {
		t.Fatalf("body %q: %v", c.Request.Body, err)
	}
	if got["sku"] != "sku-1" || got["qty"] != float64(2) {
		t.Errorf("allowlisted values lost: %v", got)
	}
	if name, _ := got["name"].(string); !strings.HasPrefix(name, "<token:") {
		t.Errorf("name = %q, want a token", name)
	}
	if c.Request.Header["X-Request-Id"][0] != "req-42" {
		t.Errorf("allowlisted header lost: %v", c.Request.Header)
	}
	if a := c.Request.Header["Authorization"][0]; !strings.HasPrefix(a, "Bearer ") {
		t.Errorf("Authorization = %q, want its scheme kept", a)
	}
	if !strings.Contains(c.Request.Query, "sku=sku-1") || strings.Contains(c.Request.Query, "SPRING") {
		t.Errorf("query %q", c.Request.Query)
	}
	if c.Promoted != capsule.PromotedError || c.Response.Status != 500 || c.Redaction.Policy == "" || len(c.Redaction.Fields) == 0 {
		t.Errorf("capsule %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}

// TestPromotion: the tail-based policy keeps only anomalous requests.
func TestPromotion(t *testing.T) {
	slow := 30 * time.Millisecond
	r, s := newRecorder(t, capture.Options{LatencyThreshold: slow})
	h := r.Middleware("GET /x", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Query().Get("do") {
		case "slow":
			time.Sleep(2 * slow)
		case "fail":
			w.WriteHeader(503)
		}
	}))
	for range 20 {
		serve(h, "GET", "/x", "", nil)
	}
	if n := len(s.all()); n != 0 {
		t.Fatalf("%d healthy requests kept at sample rate 0", n)
	}
	serve(h, "GET", "/x?do=slow", "", nil)
	serve(h, "GET", "/x?do=fail", "", nil)
	serve(h, "GET", "/x", "", map[string]string{capture.DebugHeader: "capture"})
	var reasons []string
	for _, c := range s.all() {
		reasons = append(reasons, c.Promoted)
	}
	if strings.Join(reasons, ",") != "latency,error,header" {
		t.Errorf("kept %v", reasons)
	}
	all, sAll := newRecorder(t, capture.Options{SampleRate: 1})
	for range 3 {
		serve(all.Middleware("GET /y", http.NotFoundHandler()), "GET", "/y", "", nil)
	}
	if n := len(sAll.all()); n != 3 {
		t.Errorf("sample rate 1 kept %d of 3", n)
	}
	if _, err := capture.New(capture.Options{Service: "x", SampleRate: 2, Exporter: &sink{}}); err == nil {
		t.Error("sample rate 2 accepted")
	}
}

// TestReplayFreezesClockSeedsAndOutbound: what the handler took through
// the SDK during the recording — clock readings, a PRNG and an outbound
// call — comes back identically when the capsule is replayed, the call
// answered by the loopback mock.
func TestReplayFreezesClockSeedsAndOutbound(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"rate":1.25}`)
	}))
	defer upstream.Close()
	client := &http.Client{Transport: capture.Transport(nil)}
	factory := func(cfg capture.Config) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			t0 := capture.Now(ctx)
			n := capture.Rand(ctx, "jitter").IntN(1_000_000)
			req, _ := http.NewRequestWithContext(ctx, "GET", cfg["upstream"]+"/rate?user=ada", nil)
			resp, err := client.Do(req)
			if err != nil {
				http.Error(w, err.Error(), 502)
				return
			}
			rate, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, t0.UTC().Format(time.RFC3339Nano)+" "+itoa(n)+" "+string(rate))
		})
	}
	capture.RegisterFactory("replay-test", factory)
	r, s := newRecorder(t, capture.Options{Service: "replay-test", ResponseHosts: []string{"127.0.0.1"}})
	cfg := capture.Config{"upstream": upstream.URL}
	rec := serve(r.Middleware("GET /quote", factory(cfg)), "GET", "/quote", "", map[string]string{capture.DebugHeader: "capture"})
	cs := s.all()
	if len(cs) != 1 {
		t.Fatalf("%d capsules", len(cs))
	}
	c := cs[0]
	c.Config = cfg
	if len(c.Clock) != 1 || len(c.Seeds) != 1 || len(c.Outbound) != 1 || !c.Outbound[0].BodyKept {
		t.Fatalf("capsule did not record clock/seed/call: %+v", c)
	}
	if strings.Contains(c.Outbound[0].URL, "ada") {
		t.Errorf("outbound URL kept a query value: %s", c.Outbound[0].URL)
	}
	upstream.Close() // replay must not need it
	path := t.TempDir() + "/c.json"
	data, _ := capsule.Encode(c)
	writeFile(t, path, data)
	for range 2 {
		out, err := replay.Replay(context.Background(), replay.Spec{Service: "replay-test", Capsules: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out[0].Body); got != rec.Body.String() {
			t.Errorf("replayed %q, recorded %q", got, rec.Body.String())
		}
		if len(out[0].Unmatched) > 0 {
			t.Errorf("unmatched calls %v", out[0].Unmatched)
		}
	}
}

// TestCrashHandler: a panic becomes an exception event with the stack on
// the span, and a capsule with a goroutine dump and a flight-recorder
// snapshot; the panic still propagates.
func TestCrashHandler(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	r, s := newRecorder(t, capture.Options{FlightRecorder: true, FlightRecorderAge: time.Second, HeapProfile: true})
	inner := r.Middleware("POST /pay", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]int
		m["x"]++ // assignment to entry in nil map
	}))
	h := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx, span := tp.Tracer("t").Start(req.Context(), "POST /pay")
		defer span.End()
		inner.ServeHTTP(w, req.WithContext(ctx))
	})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not propagate")
			}
		}()
		serve(h, "POST", "/pay", `{}`, nil)
	}()
	cs := s.all()
	if len(cs) != 1 || cs[0].Panic == nil {
		t.Fatalf("capsules %+v", cs)
	}
	c := cs[0]
	// The stack reads like the runtime's crash output: the goroutine line,
	// then the frame that panicked — not the SDK's recovering frames.
	lines := strings.SplitN(c.Panic.Stack, "\n", 3)
	if !strings.Contains(c.Panic.Value, "nil map") || !strings.HasPrefix(lines[0], "goroutine ") || len(lines) < 2 || !strings.Contains(lines[1], "TestCrashHandler") {
		t.Errorf("panic %q, stack begins %q", c.Panic.Value, lines)
	}
	kinds := map[string]bool{}
	for _, a := range c.Attachments {
		kinds[a.Kind] = true
	}
	for _, k := range []string{capsule.AttachGoroutines, capsule.AttachHeap, capsule.AttachFlightRecorder} {
		if !kinds[k] {
			t.Errorf("no %s attachment (have %v)", k, kinds)
		}
	}
	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans", len(ended))
	}
	var ev bool
	for _, e := range ended[0].Events() {
		if e.Name == "exception" {
			ev = true
		}
	}
	if !ev || c.TraceID != ended[0].SpanContext().TraceID().String() {
		t.Errorf("span events %v, capsule trace %s", ended[0].Events(), c.TraceID)
	}
}

// TestWatchdog: a request stuck past the deadline is kept as a hang with
// a goroutine dump that TAG reads as a blocked verdict.
func TestWatchdog(t *testing.T) {
	r, s := newRecorder(t, capture.Options{Deadline: 50 * time.Millisecond})
	release := make(chan struct{})
	h := r.Middleware("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { <-release }))
	done := make(chan struct{})
	go func() { serve(h, "GET", "/stuck", "", nil); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	<-done
	cs := s.all()
	if len(cs) != 1 || cs[0].Promoted != capsule.PromotedHang {
		t.Fatalf("capsules %+v", cs)
	}
	a, ok := cs[0].Attachment(capsule.AttachGoroutines)
	if !ok || !strings.HasPrefix(string(a.Data), capsule.WatchdogHeader) || !strings.Contains(string(a.Data), "TestWatchdog") {
		t.Errorf("dump %.200s", a.Data)
	}
}

// TestHTTPExporter uploads to a server that answers like tag serve.
func TestHTTPExporter(t *testing.T) {
	got := make(chan *capsule.Capsule, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != capsule.UploadPath || r.Header.Get("Content-Encoding") != "gzip" {
			http.Error(w, "bad", 400)
			return
		}
		zr, err := gzipReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		data, _ := io.ReadAll(zr)
		c, err := capsule.Decode(data)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		got <- c
		io.WriteString(w, `{"id":"`+c.ID+`"}`)
	}))
	defer srv.Close()
	r, err := capture.New(capture.Options{Service: "svc", Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	serve(r.Middleware("GET /", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })), "GET", "/", "", nil)
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-got:
		if c.Service != "svc" {
			t.Errorf("%+v", c)
		}
	default:
		t.Fatal("nothing uploaded")
	}
	exp := capture.NewHTTPExporter(srv.URL, nil)
	err = exp.Send(context.Background(), &capsule.Capsule{ID: "x"})
	if err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("an invalid capsule was accepted: %v", err)
	}
	exp.Shutdown(context.Background())
}

// TestDecodeErrors: bad capsules are refused with the offset.
func TestDecodeErrors(t *testing.T) {
	good, _ := capsule.Encode(&capsule.Capsule{ID: "a", Service: "s", Promoted: "error", Request: capsule.Request{Method: "GET", Path: "/"}})
	if _, err := capsule.Decode(good); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"no method": []byte(`{"tag_capsule":1,"id":"a","service":"s","promoted":"error","request":{"path":"/"}}`),
		"version":   []byte(`{"tag_capsule":9,"id":"a"}`),
		"type":      []byte(`{"tag_capsule":1,"id":7}`),
		"trailing":  append(append([]byte{}, good...), []byte(` {}`)...),
	} {
		_, err := capsule.Decode(data)
		var se *capsule.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a SyntaxError", name, err)
		}
	}
	if !capsule.Sniff(good) || capsule.Sniff([]byte(`{"resourceSpans":[]}`)) {
		t.Error("Sniff")
	}
}
