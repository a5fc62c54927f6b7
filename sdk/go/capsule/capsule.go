// Package capsule is the replay capsule: what TAG's capture SDK records
// about one request so that the request can be served again, alone and
// deterministically, in a test.
//
// A capsule holds the inbound request as it left the process (headers and
// body already passed through the redaction policy at the edge, so only
// allowlisted values are in the clear and everything else is a keyed
// token), every outbound call the handler made (a digest of the request
// and, where allowlisted, the response), the feature flags and config
// values the service registered, the build and runtime environment, the
// clock readings and PRNG seeds the handler took through the SDK, and the
// outcome: status, duration, the panic with its stack, and attachments
// (a goroutine dump, a heap profile, a flight-recorder execution trace).
//
// The wire form is JSON, one capsule per document, versioned by the
// "tag_capsule" member (currently 1), which is also how TAG recognises
// the format. It is uploaded to `tag serve` with
//
//	POST /v1/tag/capsules        (on the OTLP/HTTP address, :4318)
//	Content-Type: application/json   (Content-Encoding: gzip allowed)
//
// and answered 200 with {"id": "<capsule id>"}; a malformed capsule gets
// 400 with a message naming the byte offset. Files in this format can be
// given to `tag ingest` as well.
package capsule

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Version is the capsule format version this package writes and reads.
const Version = 1

// ContentType is the media type of an uploaded capsule.
const ContentType = "application/json"

// UploadPath is the path of `tag serve`'s capsule endpoint, relative to
// its OTLP/HTTP address.
const UploadPath = "/v1/tag/capsules"

// Promotion reasons: why a request's full capsule was kept.
const (
	PromotedError   = "error"   // the handler answered 5xx
	PromotedPanic   = "panic"   // the handler panicked
	PromotedLatency = "latency" // it took longer than the latency threshold
	PromotedHeader  = "header"  // the client asked (X-Debug-Trace: capture)
	PromotedSample  = "sample"  // the sampling rate picked it
	PromotedHang    = "hang"    // the watchdog found it still running past its deadline
)

// Capsule is one recorded request.
type Capsule struct {
	// Format is always Version; it marks the document as a capsule.
	Format int `json:"tag_capsule"`
	// ID is unique per capsule (random hex).
	ID string `json:"id"`
	// Service is the service name, as in OpenTelemetry's service.name; the
	// replay looks its handler factory up by this name.
	Service string `json:"service"`
	// Route is the handler's pattern, e.g. "POST /pay".
	Route string `json:"route"`
	// Handler is the function that serves the route (e.g.
	// "example.com/shop.(*Shop).TopUsersHandler"), so evidence that
	// carries no trace (a race report, a goroutine dump) can still name
	// the requests that ran through it.
	Handler string `json:"handler,omitempty"`
	// Factory is the import path of the package that registered the
	// service's handler factory (capture.RegisterFactory), where a replay
	// test must live to find it.
	Factory string `json:"factory,omitempty"`
	// TraceID and SpanID tie the capsule to the request's server span
	// (lower-case hex), when the service is traced.
	TraceID string `json:"trace_id,omitempty"`
	SpanID  string `json:"span_id,omitempty"`
	// Start is when the request arrived (Unix ns); Duration how long it
	// took (for a hang: how long it had run when the watchdog looked).
	Start    int64 `json:"start_ns"`
	Duration int64 `json:"duration_ns"`
	// Deadline is the request's deadline relative to Start, when the
	// service set one through the SDK (0: none).
	Deadline int64 `json:"deadline_ns,omitempty"`
	// Promoted says why the capsule was kept (see the Promoted*
	// constants).
	Promoted string `json:"promoted"`
	// Request is the inbound request, redacted at the edge.
	Request Request `json:"request"`
	// Response is what the handler answered (status, digest of the body).
	Response Response `json:"response"`
	// Outbound are the calls the handler made, in the order they started.
	Outbound []Call `json:"outbound,omitempty"`
	// Flags and Config are the feature flags and config values the service
	// registered with the SDK, as they were during the request.
	Flags  map[string]string `json:"flags,omitempty"`
	Config map[string]string `json:"config,omitempty"`
	// Env is the build and runtime environment.
	Env Env `json:"env"`
	// Clock are the readings the handler took through the SDK's clock
	// (Unix ns), in order; replay returns the same readings.
	Clock []int64 `json:"clock,omitempty"`
	// Seeds are the seeds of the PRNGs the handler drew through the SDK,
	// in order; replay seeds the same generators.
	Seeds []Seed `json:"seeds,omitempty"`
	// Panic is the handler's panic, when it panicked.
	Panic *Panic `json:"panic,omitempty"`
	// Peers are other requests in flight at the same moment that the
	// failure needs to come back — for a hang, the other stuck requests
	// (an AB-BA deadlock takes two). Replay serves them together.
	Peers []*Capsule `json:"peers,omitempty"`
	// Attachments are runtime snapshots taken for this request.
	Attachments []Attachment `json:"attachments,omitempty"`
	// Redaction says what the edge applied.
	Redaction Redaction `json:"redaction"`
}

// Request is an inbound HTTP request as recorded.
type Request struct {
	Method string `json:"method"`
	// Path is the URL path; Query the raw query (values redacted).
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Host is the Host header.
	Host string `json:"host,omitempty"`
	// Header holds the request headers: allowlisted values in the clear,
	// others as the policy says (tokens, scheme-only, dropped).
	Header map[string][]string `json:"header,omitempty"`
	// Body is the body after edge redaction (JSON and form bodies keep
	// their shape; other bodies are kept only when allowlisted).
	Body string `json:"body,omitempty"`
	// BodyKept is false when the body was too large or not allowlisted and
	// only its digest and size were kept.
	BodyKept   bool   `json:"body_kept"`
	BodyDigest string `json:"body_sha256,omitempty"`
	BodySize   int64  `json:"body_size"`
}

// Response is what the handler answered.
type Response struct {
	Status     int    `json:"status"`
	BodyDigest string `json:"body_sha256,omitempty"`
	BodySize   int64  `json:"body_size"`
}

// Call is one outbound HTTP call.
type Call struct {
	Method string `json:"method"`
	// URL is scheme://host/path with the query's values redacted.
	URL string `json:"url"`
	// RequestDigest is the SHA-256 of method, URL and body as sent; replay
	// matches calls by it first, then by method and URL in order.
	RequestDigest string `json:"request_sha256"`
	Start         int64  `json:"start_ns"`
	Duration      int64  `json:"duration_ns"`
	// Error is the transport error, when the call failed without a
	// response.
	Error string `json:"error,omitempty"`
	// Status is the response status (0 when Error is set).
	Status int `json:"status,omitempty"`
	// Header and Body are the response's, kept only when the call's host
	// is allowlisted for responses (redacted like the inbound request).
	Header   map[string][]string `json:"header,omitempty"`
	Body     string              `json:"body,omitempty"`
	BodyKept bool                `json:"body_kept"`
}

// Env is the build and runtime environment of the recording process.
type Env struct {
	BuildSHA  string `json:"build_sha,omitempty"`
	Module    string `json:"module,omitempty"`
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	TZ        string `json:"tz,omitempty"`
	Locale    string `json:"locale,omitempty"`
	Hostname  string `json:"host_digest,omitempty"`
}

// Seed is one PRNG seed the handler drew.
type Seed struct {
	Name string `json:"name,omitempty"`
	Seed uint64 `json:"seed"`
}

// Panic is a recovered panic.
type Panic struct {
	// Type is the panic value's Go type; Value its text (redacted).
	Type  string `json:"type"`
	Value string `json:"value"`
	// Stack is the panicking goroutine's stack as runtime/debug.Stack
	// prints it.
	Stack string `json:"stack"`
}

// Attachment kinds.
const (
	AttachGoroutines     = "goroutines"      // runtime/pprof goroutine profile, debug=2 text
	AttachHeap           = "heap"            // pprof heap profile (protobuf, gzipped)
	AttachFlightRecorder = "flight-recorder" // runtime/trace execution trace of the last seconds
)

// WatchdogHeader starts the first line of a goroutine dump the watchdog
// took, before the runtime's text: "tag watchdog: <what was stuck>". TAG
// reads such a dump as a "blocked" verdict over the goroutines waiting in
// application code, as it reads a test-timeout dump.
const WatchdogHeader = "tag watchdog: "

// SlowHeader starts the first line of a goroutine dump the watchdog took
// while requests were running past the latency threshold but not yet
// past their deadline: "tag slow: <which requests>". Such requests are
// late, not stuck, so TAG declares no verdict from it; the dump says
// where the late requests were waiting (a contended lock, say).
const SlowHeader = "tag slow: "

// Attachment is one runtime snapshot.
type Attachment struct {
	Kind string `json:"kind"`
	// Taken is when it was taken (Unix ns).
	Taken int64 `json:"taken_ns"`
	// Data is the snapshot's bytes (base64 in JSON).
	Data []byte `json:"data"`
}

// Redaction records what the edge applied.
type Redaction struct {
	// Policy is the redaction policy version.
	Policy string `json:"policy"`
	// KeyID identifies the token key (never the key).
	KeyID string `json:"key_id,omitempty"`
	// Fields lists request and response fields that were tokenized or
	// dropped, by path (e.g. "header.Authorization", "body.card.number").
	Fields []string `json:"fields,omitempty"`
}

// Validate reports the first thing that makes c unusable for replay.
func (c *Capsule) Validate() error {
	switch {
	case c.Format != Version:
		return fmt.Errorf("unsupported capsule version %d (this build reads %d)", c.Format, Version)
	case c.ID == "":
		return errors.New("capsule has no id")
	case c.Service == "":
		return errors.New("capsule has no service")
	case c.Request.Method == "":
		return errors.New("capsule request has no method")
	case !strings.HasPrefix(c.Request.Path, "/"):
		return fmt.Errorf("capsule request path %q is not absolute", c.Request.Path)
	case c.Promoted == "":
		return errors.New("capsule has no promotion reason")
	}
	for i, a := range c.Attachments {
		if a.Kind == "" || len(a.Data) == 0 {
			return fmt.Errorf("attachment %d is empty or has no kind", i)
		}
	}
	return nil
}

// Attachment returns the first attachment of a kind.
func (c *Capsule) Attachment(kind string) (Attachment, bool) {
	for _, a := range c.Attachments {
		if a.Kind == kind {
			return a, true
		}
	}
	return Attachment{}, false
}

// Time returns Start as a time.
func (c *Capsule) Time() time.Time { return time.Unix(0, c.Start) }

// SyntaxError is a capsule document that is not valid JSON or not a
// capsule, with the byte offset of the problem.
type SyntaxError struct {
	Offset int64
	Msg    string
}

// Error says where and what.
func (e *SyntaxError) Error() string { return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg) }

// Decode reads one capsule and validates it. Errors name the byte offset
// of the problem where JSON can say it.
func Decode(data []byte) (*Capsule, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Capsule
	if err := dec.Decode(&c); err != nil {
		return nil, jsonError(err, int64(len(data)))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Msg: "unexpected data after the capsule"}
	}
	if err := c.Validate(); err != nil {
		return nil, &SyntaxError{Offset: 0, Msg: err.Error()}
	}
	return &c, nil
}

// jsonError positions a decoding error; end is where a truncated
// document stopped.
func jsonError(err error, end int64) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &SyntaxError{Offset: se.Offset, Msg: se.Error()}
	case errors.As(err, &te):
		return &SyntaxError{Offset: te.Offset, Msg: fmt.Sprintf("field %s: %s is not a %s", te.Field, te.Value, te.Type)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &SyntaxError{Offset: end, Msg: "truncated capsule"}
	}
	return &SyntaxError{Offset: end, Msg: err.Error()}
}

// Encode writes c as JSON.
func Encode(c *Capsule) ([]byte, error) {
	c.Format = Version
	return json.Marshal(c)
}

// Sniff reports whether data looks like a capsule document: a JSON object
// whose first member is "tag_capsule". Encode always writes it first.
func Sniff(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	t, err := dec.Token()
	return err == nil && t == "tag_capsule"
}

// Digest returns the hex SHA-256 of the parts, each length-prefixed so
// that ("ab","c") and ("a","bc") differ.
func Digest(parts ...[]byte) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		l := uint64(len(p))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CallDigest is the digest outbound calls are matched by.
func CallDigest(method, url string, body []byte) string {
	return Digest([]byte(method), []byte(url), body)
}
