// Package capture is TAG's capture SDK for Go services: it records what a
// deterministic replay of a failing request needs, cheaply, and hands it
// to TAG without letting secrets leave the process.
//
// It works beside the OpenTelemetry Go SDK, never instead of it: spans and
// logs keep flowing to whatever backend the service uses. A [Recorder]
// adds to each request's span (the span in the request's context) the
// capsule ID and why it was kept, and sends the capsule itself to
// `tag serve`'s upload endpoint (see package capsule).
//
//	rec, err := capture.New(capture.Options{Service: "shop", Endpoint: "http://localhost:4318",
//		BodyFields: []string{"sku", "qty", "discount_code"}, SampleRate: 0.1})
//	mux.Handle("POST /pay", otelWrap(rec.Middleware("POST /pay", payHandler)))
//	client := &http.Client{Transport: rec.Transport(http.DefaultTransport)}
//	now := capture.Now(ctx)            // a clock reading replay can freeze
//	rng := capture.Rand(ctx, "jitter") // a PRNG replay can re-seed
//
// Capture policy, the tail-based idea: every request pays only for cheap
// metadata (its body is buffered, its status and timing noted); the full
// capsule is built and redacted only when the request turns out
// anomalous — it panicked or answered 5xx, it was slower than
// LatencyThreshold, the client sent "X-Debug-Trace: capture", or the
// sampling rate picked it. A panic also takes a goroutine dump and,
// optionally, a heap profile and a flight-recorder snapshot of the last
// seconds; a watchdog snapshots goroutines when requests outlive their
// deadline, so blocked-lock evidence exists even when nothing crashed,
// and once per LatencyThreshold while requests run late, so a slow
// request's capsule shows what it was waiting for.
//
// Redaction at the edge: headers outside HeaderAllowlist and body fields
// outside BodyFields leave the process only as keyed tokens (their shape
// survives, their content does not); allowlisted values still pass TAG's
// policy and secret detectors. Give every process the same key
// (Options.Key, from `tag key`) and tokens join across services and with
// TAG's own.
package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// Options configure a Recorder. The zero value of every field but Service
// is usable.
type Options struct {
	// Service names the service (OpenTelemetry's service.name).
	Service string
	// Endpoint is `tag serve`'s OTLP/HTTP address, e.g.
	// http://localhost:4318; capsules go to Endpoint + /v1/tag/capsules.
	// Empty: $TAG_ENDPOINT, else $OTEL_EXPORTER_OTLP_ENDPOINT. Ignored when
	// Exporter is set.
	Endpoint string
	// Exporter receives kept capsules; nil means an HTTP exporter to
	// Endpoint.
	Exporter Exporter

	// SampleRate is the share of healthy requests kept anyway (0..1), so
	// cohorts of successful requests exist for comparison.
	SampleRate float64
	// LatencyThreshold keeps requests slower than it (0: off). While
	// such requests are still running, the watchdog takes a goroutine
	// dump (at most one per LatencyThreshold, shared by the requests
	// found late together) that their capsules carry, with the requests
	// then in flight on their routes as peers.
	LatencyThreshold time.Duration
	// Deadline is how long a request may run before the watchdog
	// snapshots goroutines and keeps its capsule as a hang (0: no
	// watchdog).
	Deadline time.Duration

	// HeaderAllowlist are request and response header names kept in the
	// clear (case-insensitive), after the detectors. Content-Type, Accept,
	// User-Agent, Content-Length and the trace headers always are.
	HeaderAllowlist []string
	// BodyFields are JSON or form field names, or dotted paths
	// ("order.sku"), kept in the clear after the detectors; other string
	// values become tokens. Numbers, booleans and nulls keep their values
	// unless a detector or a policy rule objects, so the body keeps its
	// shape.
	BodyFields []string
	// RawBodyRoutes are routes whose non-JSON, non-form bodies are kept
	// (after the detectors); other such bodies keep only digest and size.
	RawBodyRoutes []string
	// ResponseHosts are outbound hosts whose responses are recorded (so
	// replay can answer the call); other calls keep only digests.
	ResponseHosts []string
	// MaxBody bounds the bytes of a body kept (default 64 KiB).
	MaxBody int

	// HeapProfile adds a heap profile to panic capsules.
	HeapProfile bool
	// FlightRecorder keeps a runtime/trace flight recorder running and
	// adds its snapshot of the last seconds to panic and hang capsules.
	FlightRecorder bool
	// FlightRecorderAge is the window the flight recorder keeps (default
	// 5 s).
	FlightRecorderAge time.Duration

	// Policy is a redaction policy in TAG's YAML format; nil: the built-in
	// policy.
	Policy []byte
	// Key is the token key (TAG's redact.key); nil: $TAG_REDACT_KEY_FILE
	// if set, else a random per-process key.
	Key []byte

	// BuildSHA is the build's commit; empty: from the binary's VCS build
	// info.
	BuildSHA string
	// ErrorLog receives the SDK's own problems (export failures); nil:
	// discarded after counting.
	ErrorLog func(error)
}

// Recorder records capsules for one service.
type Recorder struct {
	opts    Options
	eng     *redact.Engine
	keyID   string
	exp     Exporter
	env     capsule.Env
	headers map[string]bool
	fields  map[string]bool
	raw     map[string]bool
	hosts   map[string]bool

	mu     sync.RWMutex
	flags  map[string]string
	config map[string]string

	inflight inflight
	watched  bool // requests are tracked in flight for the watchdog
	// slowAt and slowLast are the watchdog's last look at late requests;
	// only the watchdog's goroutine touches them.
	slowAt   time.Time
	slowLast *slowLook
	jobs     chan func() // capsule assembly, off the request path
	fr       *trace.FlightRecorder
	snapMu   sync.Mutex // one snapshot (dump, flight recorder) at a time
	jobMu    sync.RWMutex
	stop     chan struct{}
	stopped  sync.WaitGroup
	closed   atomic.Bool

	// Kept and Dropped count capsules handed to the exporter and refused
	// by it (queue full).
	kept, dropped atomic.Int64
}

// alwaysHeaders are kept in the clear whatever the allowlist says: they
// carry no secrets and replay needs them.
var alwaysHeaders = []string{"content-type", "accept", "user-agent", "content-length", "traceparent", "tracestate", "x-debug-trace"}

// New starts a recorder (and its watchdog and flight recorder when
// configured). Call Shutdown when the service stops.
func New(opts Options) (*Recorder, error) {
	if opts.Service == "" {
		return nil, errors.New("capture: Options.Service is required")
	}
	if opts.SampleRate < 0 || opts.SampleRate > 1 {
		return nil, fmt.Errorf("capture: SampleRate %v is not in [0, 1]", opts.SampleRate)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 64 << 10
	}
	pol := redact.DefaultPolicy()
	if opts.Policy != nil {
		p, err := redact.ParsePolicy("capture policy", opts.Policy)
		if err != nil {
			return nil, fmt.Errorf("capture: %w", err)
		}
		pol = p
	}
	key, err := loadKey(opts.Key)
	if err != nil {
		return nil, err
	}
	eng, err := redact.New(pol, key)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	r := &Recorder{opts: opts, eng: eng, keyID: redact.KeyID(key), env: environment(opts.BuildSHA),
		headers: lowerSet(append(slices.Clone(alwaysHeaders), opts.HeaderAllowlist...)),
		fields:  set(opts.BodyFields), raw: set(opts.RawBodyRoutes), hosts: lowerSet(opts.ResponseHosts),
		flags: map[string]string{}, config: map[string]string{}, stop: make(chan struct{})}
	r.inflight.m = map[*state]struct{}{}
	r.jobs = make(chan func(), 256)
	r.stopped.Add(1)
	go r.worker()
	r.exp = opts.Exporter
	if r.exp == nil {
		ep := opts.Endpoint
		if ep == "" {
			ep = os.Getenv("TAG_ENDPOINT")
		}
		if ep == "" {
			ep = os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
		}
		if ep == "" {
			return nil, errors.New("capture: no Endpoint (set Options.Endpoint, $TAG_ENDPOINT or $OTEL_EXPORTER_OTLP_ENDPOINT) and no Exporter")
		}
		r.exp = NewHTTPExporter(ep, nil)
	}
	if opts.FlightRecorder {
		age := opts.FlightRecorderAge
		if age <= 0 {
			age = 5 * time.Second
		}
		fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: age, MaxBytes: 16 << 20})
		if err := fr.Start(); err != nil {
			// Another tracer is running (go test -trace, say): go on
			// without, and say so once.
			r.logf("flight recorder not started: %v", err)
		} else {
			r.fr = fr
		}
	}
	if opts.Deadline > 0 || opts.LatencyThreshold > 0 {
		r.watched = true
		r.stopped.Add(1)
		go r.watchdog()
	}
	return r, nil
}

// Shutdown stops the watchdog and the flight recorder and flushes the
// exporter.
func (r *Recorder) Shutdown(ctx context.Context) error {
	if !r.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(r.stop)
	r.jobMu.Lock()
	close(r.jobs)
	r.jobMu.Unlock()
	r.stopped.Wait()
	if r.fr != nil {
		r.fr.Stop()
	}
	return r.exp.Shutdown(ctx)
}

// SetFlag registers a feature flag's current value; capsules carry the
// values at the time of the request.
func (r *Recorder) SetFlag(name, value string) {
	r.mu.Lock()
	r.flags[name] = value
	r.mu.Unlock()
}

// SetConfig registers a config value (after the detectors: a config value
// that looks like a secret is recorded as a token).
func (r *Recorder) SetConfig(name, value string) {
	v, keep := r.eng.RedactAttr(r.opts.Service, "config."+name, epgString(value))
	r.mu.Lock()
	if keep {
		r.config[name] = v.AsString()
	} else {
		delete(r.config, name)
	}
	r.mu.Unlock()
}

// Stats reports how many capsules were handed to the exporter and how
// many it refused.
func (r *Recorder) Stats() (kept, dropped int64) { return r.kept.Load(), r.dropped.Load() }

func (r *Recorder) snapshotFlags() (flags, config map[string]string) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.flags) > 0 {
		flags = make(map[string]string, len(r.flags))
		for k, v := range r.flags {
			flags[k] = v
		}
	}
	if len(r.config) > 0 {
		config = make(map[string]string, len(r.config))
		for k, v := range r.config {
			config[k] = v
		}
	}
	return flags, config
}

func (r *Recorder) logf(format string, args ...any) {
	if r.opts.ErrorLog != nil {
		r.opts.ErrorLog(fmt.Errorf("capture: "+format, args...))
	}
}

// async runs f on the worker; when the worker is behind (or the recorder
// is shut down) the capsule is dropped and counted, never the request
// delayed.
func (r *Recorder) async(f func()) {
	r.jobMu.RLock()
	defer r.jobMu.RUnlock()
	if r.closed.Load() {
		r.dropped.Add(1)
		return
	}
	select {
	case r.jobs <- f:
	default:
		r.dropped.Add(1)
		r.logf("capsule dropped: assembly queue full")
	}
}

// Flush waits until every capsule kept so far has been handed to the
// exporter (it does not flush the exporter itself).
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan struct{})
	r.jobMu.RLock()
	if r.closed.Load() {
		r.jobMu.RUnlock()
		return nil
	}
	select {
	case r.jobs <- func() { close(done) }:
	case <-ctx.Done():
		r.jobMu.RUnlock()
		return ctx.Err()
	}
	r.jobMu.RUnlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Recorder) worker() {
	defer r.stopped.Done()
	for f := range r.jobs {
		f()
	}
}

// emit hands a finished capsule to the exporter.
func (r *Recorder) emit(c *capsule.Capsule) {
	if err := r.exp.Export(c); err != nil {
		r.dropped.Add(1)
		r.logf("capsule %s not exported: %v", c.ID, err)
		return
	}
	r.kept.Add(1)
}

// environment describes the build and the process once.
func environment(sha string) capsule.Env {
	env := capsule.Env{GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
		TZ: os.Getenv("TZ"), Locale: firstEnv("LC_ALL", "LC_MESSAGES", "LANG")}
	if env.TZ == "" {
		env.TZ = time.Local.String()
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		env.Module = bi.Main.Path
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && sha == "" {
				sha = s.Value
			}
		}
	}
	env.BuildSHA = sha
	if h, err := os.Hostname(); err == nil {
		env.Hostname = capsule.Digest([]byte(h))[:16]
	}
	return env
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func loadKey(key []byte) ([]byte, error) {
	if key != nil {
		if len(key) < 16 {
			return nil, errors.New("capture: Options.Key is shorter than 16 bytes")
		}
		return key, nil
	}
	if path := os.Getenv("TAG_REDACT_KEY_FILE"); path != "" {
		data, err := redact.ReadKeyFile(path)
		if err != nil {
			return nil, fmt.Errorf("capture: TAG_REDACT_KEY_FILE: %w", err)
		}
		return data, nil
	}
	k := make([]byte, redact.KeySize)
	_, err := rand.Read(k)
	return k, err
}

// newID returns 16 random hex digits.
func newID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func lowerSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[strings.ToLower(x)] = true
	}
	return m
}
