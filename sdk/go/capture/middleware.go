package capture

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// DebugHeader is the request header that promotes a request's capsule
// when its value is "capture".
const DebugHeader = "X-Debug-Trace"

// Span attributes the middleware adds to the request's span.
const (
	AttrCapsuleID = "tag.capsule.id"
	AttrPromoted  = "tag.capsule.promoted"
)

// state is one in-flight request: the cheap part recorded always, and
// what the handler took through the SDK (clock, seeds, outbound calls).
type state struct {
	rec     *Recorder
	route   string
	handler string
	start   time.Time
	req     *http.Request
	body    []byte
	bodyOK  bool // the body was read completely within MaxBody
	span    trace.Span

	// rw is the request's response writer and br the buffered body handed
	// to the handler, in the same allocation.
	rw recWriter
	br bodyReader

	mu       sync.Mutex
	clock    []int64
	seeds    []capsule.Seed
	outbound []capsule.Call
	deadline time.Time
	hung     bool // the watchdog already kept it
	// slow is the watchdog's look at the request running past
	// LatencyThreshold, shared with the other requests late in it.
	slow *slowLook
}

type stateKey struct{}

func stateFrom(ctx context.Context) *state {
	s, _ := ctx.Value(stateKey{}).(*state)
	return s
}

// Middleware wraps a handler for route (its pattern, e.g. "POST /pay").
// Put it inside the OpenTelemetry server instrumentation so the request's
// span is in the context it sees.
func (r *Recorder) Middleware(route string, h http.Handler) http.Handler {
	name := handlerName(h)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if rp := replayFrom(req.Context()); rp != nil {
			// Serving a recorded request: the replay owns clock, seeds and
			// outbound calls; nothing is recorded or exported.
			h.ServeHTTP(w, req)
			return
		}
		st := &state{rec: r, route: route, handler: name, start: time.Now(), span: trace.SpanFromContext(req.Context())}
		st.readBody(req, r.opts.MaxBody)
		ctx := context.WithValue(req.Context(), stateKey{}, st)
		if dl, ok := ctx.Deadline(); ok {
			st.deadline = dl
		}
		st.req = req.WithContext(ctx)
		watched := r.watched
		if watched {
			r.inflight.add(st)
		}
		rw := &st.rw
		rw.ResponseWriter, rw.status, rw.max = w, http.StatusOK, r.opts.MaxBody
		defer func() {
			if watched {
				r.inflight.remove(st)
			}
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				r.crashed(st, rw, v, fromPanic(debug.Stack()))
				panic(v)
			}
			r.finish(st, rw, req.Header.Get(DebugHeader))
		}()
		h.ServeHTTP(rw, st.req)
	})
}

// Wrap returns Middleware in the shape of a per-route wrapper,
// func(pattern, handler) handler.
func (r *Recorder) Wrap() func(string, http.Handler) http.Handler { return r.Middleware }

// readBody buffers up to max bytes of the body and puts an equivalent
// reader back, so the handler sees the same bytes.
func (st *state) readBody(req *http.Request, max int) {
	if req.Body == nil || req.Body == http.NoBody {
		st.bodyOK = true
		return
	}
	var buf []byte
	var err error
	if n := req.ContentLength; n >= 0 && n <= int64(max) {
		// The usual case: the size is known, read it in one allocation.
		buf = make([]byte, n)
		_, err = io.ReadFull(req.Body, buf)
		if err == nil {
			var one [1]byte
			if k, _ := req.Body.Read(one[:]); k > 0 {
				err = errors.New("body longer than its Content-Length")
				buf = append(buf, one[0])
			}
		}
	} else {
		buf, err = io.ReadAll(io.LimitReader(req.Body, int64(max)+1))
	}
	st.body = buf
	if err == nil && len(buf) <= max {
		st.bodyOK = true
		req.Body.Close()
		st.br.Reset(buf)
		req.Body = &st.br
		return
	}
	// Too large (or a read error): the handler gets what was read
	// followed by the rest; the capsule keeps digest and size only.
	if len(buf) > max {
		st.body = buf[:max]
	}
	req.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), req.Body), req.Body}
}

// bodyReader is the buffered body handed back to the handler.
type bodyReader struct{ bytes.Reader }

// Close does nothing: the original body is closed already.
func (bodyReader) Close() error { return nil }

// finish decides whether a completed request is kept.
func (r *Recorder) finish(st *state, rw *recWriter, debugHdr string) {
	d := time.Since(st.start)
	reason := ""
	switch {
	case rw.status >= 500:
		reason = capsule.PromotedError
	case r.opts.LatencyThreshold > 0 && d > r.opts.LatencyThreshold:
		reason = capsule.PromotedLatency
	case debugHdr == "capture":
		reason = capsule.PromotedHeader
	case r.opts.SampleRate > 0 && rand.Float64() < r.opts.SampleRate:
		reason = capsule.PromotedSample
	}
	if reason == "" || st.markKept() {
		return
	}
	// The request's path pays only for the decision, the capsule's ID and
	// the span attributes; redaction and assembly run on the recorder's
	// worker.
	c := r.head(st, reason, d)
	r.annotate(st.span, c)
	hdr := st.req.Header.Clone()
	r.async(func() {
		r.fill(c, st, hdr)
		c.Response = rw.response()
		// Read here, off the request's path, and late: a look the
		// watchdog was taking as the request ended has usually landed.
		if l := st.slowLook(); l != nil {
			c.Attachments, c.Peers = l.dumpFor(st), l.peersOf(st)
		}
		r.emit(c)
	})
}

// crashed records a panic: an exception event with the full stack on the
// span, and a capsule with a goroutine dump (and, when configured, a heap
// profile and a flight-recorder snapshot).
func (r *Recorder) crashed(st *state, rw *recWriter, v any, stack []byte) {
	msg := r.eng.RedactText(fmt.Sprint(v))
	typ := fmt.Sprintf("%T", v)
	stackText := r.eng.RedactText("panic: " + fmt.Sprint(v) + "\n\n" + string(stack))
	if st.span.IsRecording() {
		st.span.AddEvent("exception", exceptionAttrs(typ, msg, stackText))
		st.span.SetStatus(codes.Error, msg)
	}
	if st.markKept() {
		return
	}
	c := r.head(st, capsule.PromotedPanic, time.Since(st.start))
	c.Response = capsule.Response{Status: http.StatusInternalServerError}
	c.Panic = &capsule.Panic{Type: typ, Value: msg, Stack: r.eng.RedactText(string(stack))}
	c.Attachments = r.snapshots(true, r.opts.HeapProfile)
	r.annotate(st.span, c)
	hdr := st.req.Header.Clone()
	r.async(func() {
		r.fill(c, st, hdr)
		r.emit(c)
	})
}

// fromPanic cuts a stack taken in a deferred recover down to what the
// runtime prints for a crash: the goroutine line, then the frames from the
// one that panicked inward-out — the recovering frames above panic() are
// the SDK's, not the failure's.
func fromPanic(stack []byte) []byte {
	nl := bytes.IndexByte(stack, '\n')
	i := bytes.Index(stack, []byte("\npanic("))
	if nl < 0 || i < 0 {
		return stack
	}
	rest := stack[i+1:]
	// Skip panic(...) and its file line.
	for range 2 {
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			return stack
		}
		rest = rest[j+1:]
	}
	out := append([]byte(nil), stack[:nl+1]...)
	return append(out, rest...)
}

// exceptionAttrs are the OpenTelemetry exception event's attributes.
func exceptionAttrs(typ, msg, stack string) trace.EventOption {
	return trace.WithAttributes(attribute.String("exception.type", typ),
		attribute.String("exception.message", msg), attribute.String("exception.stacktrace", stack))
}

// markKept reports whether the request was already kept (by the
// watchdog), marking it kept otherwise.
func (st *state) markKept() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	was := st.hung
	st.hung = true
	return was
}

// annotate ties the span to the capsule: the part of TAG's capture that
// rides on OTLP.
func (r *Recorder) annotate(span trace.Span, c *capsule.Capsule) {
	if span.IsRecording() {
		span.SetAttributes(attribute.String(AttrCapsuleID, c.ID), attribute.String(AttrPromoted, c.Promoted))
	}
}

// build assembles and redacts the capsule of a request, synchronously.
func (r *Recorder) build(st *state, reason string, d time.Duration) *capsule.Capsule {
	c := r.head(st, reason, d)
	r.fill(c, st, st.req.Header)
	return c
}

// head is the cheap part of a capsule: identity, trace, route and timing.
func (r *Recorder) head(st *state, reason string, d time.Duration) *capsule.Capsule {
	c := &capsule.Capsule{Format: capsule.Version, ID: newID(), Service: r.opts.Service, Route: st.route, Handler: st.handler, Factory: FactoryPackage(r.opts.Service),
		Start: st.start.UnixNano(), Duration: int64(d), Promoted: reason, Env: r.env,
		Redaction: capsule.Redaction{Policy: r.eng.Version(), KeyID: r.keyID}}
	if sc := st.span.SpanContext(); sc.IsValid() {
		c.TraceID, c.SpanID = sc.TraceID().String(), sc.SpanID().String()
	}
	if !st.deadline.IsZero() {
		c.Deadline = int64(st.deadline.Sub(st.start))
	}
	return c
}

// fill redacts and adds the request and what the handler took through
// the SDK. hdr is the request's header (a copy when run after the
// request is over).
func (r *Recorder) fill(c *capsule.Capsule, st *state, hdr http.Header) {
	e := r.edge()
	req := st.req
	c.Request = capsule.Request{Method: req.Method, Path: req.URL.Path, Host: req.Host,
		Query: e.query(req.URL.RawQuery), Header: e.headers("header.", hdr),
		BodySize: int64(len(st.body)), BodyDigest: digest(st.body)}
	if st.bodyOK {
		c.Request.Body, c.Request.BodyKept = e.body(st.route, hdr.Get("Content-Type"), st.body, false)
	}
	st.mu.Lock()
	c.Clock = append([]int64(nil), st.clock...)
	c.Seeds = append([]capsule.Seed(nil), st.seeds...)
	c.Outbound = append([]capsule.Call(nil), st.outbound...)
	st.mu.Unlock()
	c.Flags, c.Config = r.snapshotFlags()
	c.Redaction.Fields = e.fields
}

func digest(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// recWriter remembers the status and the first MaxBody bytes the handler
// wrote; their digest is computed only for a kept capsule, so healthy
// requests pay a copy, not a hash.
type recWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	size   int64
	max    int
	head   []byte
	inline [512]byte
}

// WriteHeader records the status.
func (w *recWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write keeps the head of what it writes.
func (w *recWriter) Write(b []byte) (int, error) {
	w.wrote = true
	if w.head == nil {
		w.head = w.inline[:0]
	}
	if room := w.max - len(w.head); room > 0 {
		w.head = append(w.head, b[:min(room, len(b))]...)
	}
	w.size += int64(len(b))
	return w.ResponseWriter.Write(b)
}

// Flush passes flushes through to writers that support them.
func (w *recWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recWriter) response() capsule.Response {
	r := capsule.Response{Status: w.status, BodySize: w.size}
	if int64(len(w.head)) == w.size {
		r.BodyDigest = digest(w.head)
	}
	return r
}

// inflight is the set of requests being served, for the watchdog.
type inflight struct {
	mu sync.Mutex
	m  map[*state]struct{}
}

func (f *inflight) add(s *state) {
	f.mu.Lock()
	f.m[s] = struct{}{}
	f.mu.Unlock()
}

func (f *inflight) remove(s *state) {
	f.mu.Lock()
	delete(f.m, s)
	f.mu.Unlock()
}

// older returns the requests that started before t and were not kept yet.
func (f *inflight) older(t time.Time) []*state {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*state
	for s := range f.m {
		if s.start.Before(t) {
			out = append(out, s)
		}
	}
	return out
}

// handlerName names the function behind h the way Go's tracebacks do:
// a func or method value by its function ("pkg.(*T).M"), any other
// handler by its ServeHTTP method.
func handlerName(h http.Handler) string {
	v := reflect.ValueOf(h)
	if v.Kind() == reflect.Func {
		if f := runtime.FuncForPC(v.Pointer()); f != nil {
			// A method value's wrapper is named after the method with
			// "-fm"; the method itself is what stacks show.
			return strings.TrimSuffix(f.Name(), "-fm")
		}
		return ""
	}
	t := v.Type()
	ptr := ""
	if t.Kind() == reflect.Pointer {
		ptr, t = "*", t.Elem()
	}
	if t.PkgPath() == "" {
		return ""
	}
	if ptr != "" {
		return t.PkgPath() + ".(*" + t.Name() + ").ServeHTTP"
	}
	return t.PkgPath() + "." + t.Name() + ".ServeHTTP"
}
