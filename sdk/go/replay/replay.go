// Package replay serves recorded requests (capsules, see package capsule)
// through a service's handler, deterministically: the handler comes from
// the factory the service registered with capture.RegisterFactory, every
// outbound call is answered from the capsule by a mock server on loopback,
// and the clock readings and PRNG seeds the handler takes through the
// capture SDK are the recorded ones.
//
// Tests that `tag repro` generates call [Run]; it fails the test when the
// recorded failure's signature comes back: a panic (at the recorded site),
// a 5xx answer, or a request that does not finish within its deadline (the
// goroutine dump of the stuck run is logged). Concurrency failures replay
// several capsules at once, in parallel copies, for several rounds.
package replay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// Load reads and validates a capsule file; errors name the file and the
// byte offset.
func Load(path string) (*capsule.Capsule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := capsule.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Spec says what to replay and what counts as the failure.
type Spec struct {
	// Service names the registered handler factory.
	Service string
	// Capsules are capsule files, served together in each round.
	Capsules []string
	// Site, when set, is the function a panic must pass through to count
	// as the recorded failure (e.g. "shop.Price"); a panic elsewhere is
	// still a failure, but reported as a different one.
	Site string
	// Parallel serves each capsule this many times at once (default 1):
	// contention and races need company.
	Parallel int
	// Rounds repeats the whole set (default 1).
	Rounds int
	// Timeout is how long one request may take (default: the capsule's
	// deadline, else 10 s).
	Timeout time.Duration
	// Leaks fails the replay when goroutines it started are still running
	// once every request has answered (after a short settling time): a
	// handler that leaves a sender or a worker behind leaks on every call.
	Leaks bool
	// Repeat is how many times [Observe] serves each capsule (default 2):
	// answers that differ between repeats are compared by status only.
	Repeat int
}

// Outcome is what one served request did.
type Outcome struct {
	Capsule    string
	Status     int
	Body       []byte
	Panic      string
	PanicStack string
	TimedOut   bool
	Duration   time.Duration
	// Unmatched are outbound calls the capsule had no answer for.
	Unmatched []string
	// Calls are the outbound calls the capsule answered, in order, as
	// "METHOD URL".
	Calls []string
	// Leaked counts goroutines the replay started that outlived it
	// ([Spec.Leaks]); the outcome then stands for the whole replay and
	// LeakDump holds their stacks.
	Leaked   int
	LeakDump string
}

// Failure describes the recorded failure coming back, or is nil.
func (o *Outcome) Failure(site string) string {
	switch {
	case o.Panic != "" && (site == "" || strings.Contains(o.PanicStack, site)):
		return fmt.Sprintf("capsule %s: panic: %s", o.Capsule, o.Panic)
	case o.Panic != "":
		return fmt.Sprintf("capsule %s: panic elsewhere than %s: %s", o.Capsule, site, o.Panic)
	case o.TimedOut:
		return fmt.Sprintf("capsule %s: did not finish within its deadline (%v)", o.Capsule, o.Duration.Round(time.Millisecond))
	case o.Status >= 500:
		return fmt.Sprintf("capsule %s: status %d: %s", o.Capsule, o.Status, bytes.TrimSpace(o.Body))
	case o.Leaked > 0:
		return fmt.Sprintf("goroutine leak: %d goroutine(s) started by the replay still run after every request answered", o.Leaked)
	}
	return ""
}

// Run replays spec and fails t when the failure comes back. It is what
// generated reproduction tests call.
func Run(t testing.TB, spec Spec) []*Outcome {
	t.Helper()
	out, err := Replay(context.Background(), spec)
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	var failures []string
	for _, o := range out {
		if f := o.Failure(spec.Site); f != "" {
			failures = append(failures, f)
		}
		for _, u := range o.Unmatched {
			t.Logf("capsule %s: outbound call not in the capsule: %s", o.Capsule, u)
		}
	}
	if len(failures) > 0 {
		for _, o := range out {
			if o.TimedOut {
				t.Logf("goroutines of the stuck replay:\n%s", goroutines())
				break
			}
			if o.Leaked > 0 {
				t.Logf("goroutines left behind by the replay:\n%s", o.LeakDump)
			}
		}
		if len(failures) > 5 {
			failures = append(failures[:5], fmt.Sprintf("… and %d more", len(failures)-5))
		}
		t.Fatalf("the recorded failure came back (%d of %d requests):\n%s", countFailures(out, spec.Site), len(out), strings.Join(failures, "\n"))
	}
	return out
}

func countFailures(out []*Outcome, site string) int {
	n := 0
	for _, o := range out {
		if o.Failure(site) != "" {
			n++
		}
	}
	return n
}

// Replay serves spec's capsules and returns every outcome.
func Replay(ctx context.Context, spec Spec) ([]*Outcome, error) {
	if len(spec.Capsules) == 0 {
		return nil, fmt.Errorf("no capsules to replay")
	}
	var caps []*capsule.Capsule
	for _, p := range spec.Capsules {
		c, err := Load(p)
		if err != nil {
			return nil, err
		}
		caps = append(caps, c)
	}
	service := spec.Service
	if service == "" {
		service = caps[0].Service
	}
	factory, ok := capture.Lookup(service)
	if !ok {
		return nil, fmt.Errorf("no handler factory registered for service %q (registered: %v); the service must call capture.RegisterFactory in the package this test is in", service, capture.Factories())
	}
	h := factory(capture.Config(caps[0].Config))
	// Goroutines the factory started (a cache refresher, a pool) are the
	// service's; only those the requests start can leak.
	base := goroutineIDs(goroutines())
	par, rounds := max(spec.Parallel, 1), max(spec.Rounds, 1)
	var out []*Outcome
	var mu sync.Mutex
	for range rounds {
		var wg sync.WaitGroup
		for _, c := range caps {
			for range par {
				wg.Go(func() {
					o := Serve(ctx, h, c, spec.Timeout)
					mu.Lock()
					out = append(out, o)
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		if hasTimeout(out) {
			break // stuck goroutines stay stuck; more rounds add nothing
		}
	}
	if spec.Leaks && !hasTimeout(out) {
		if n, dump := leftBehind(ctx, base); n > 0 {
			out = append(out, &Outcome{Capsule: "(replay)", Leaked: n, LeakDump: dump})
		}
	}
	return out, nil
}

// leakSettle is how long goroutines that are on their way out (a closed
// mock's connections, a handler's cleanup) get before they count as
// leaked.
const leakSettle = 2 * time.Second

// leftBehind waits for the goroutines that were not running at base to
// end, and says how many are still running, with their stacks. Goroutines
// are told apart by ID, so others ending meanwhile (an earlier test's
// leftovers) cannot hide a new one.
func leftBehind(ctx context.Context, base map[string]bool) (int, string) {
	deadline := time.Now().Add(leakSettle)
	for {
		var left []string
		for _, g := range strings.Split(goroutines(), "\n\n") {
			if id := goroutineID(g); id != "" && !base[id] {
				left = append(left, strings.TrimSpace(g))
			}
		}
		if len(left) == 0 {
			return 0, ""
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return len(left), strings.Join(left, "\n\n")
		}
		runtime.GC() // finalizers may close what the requests dropped
		time.Sleep(20 * time.Millisecond)
	}
}

// goroutineIDs are the IDs of the goroutines in a dump.
func goroutineIDs(dump string) map[string]bool {
	ids := map[string]bool{}
	for _, g := range strings.Split(dump, "\n\n") {
		if id := goroutineID(g); id != "" {
			ids[id] = true
		}
	}
	return ids
}

// goroutineID reads the ID from a goroutine's header line
// ("goroutine 31 [running]:"), or "".
func goroutineID(g string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(g), "goroutine ")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, " ")
	return id
}

func hasTimeout(out []*Outcome) bool {
	for _, o := range out {
		if o.TimedOut {
			return true
		}
	}
	return false
}

// Serve serves one capsule's request through h with the capsule's
// outbound answers, clock and seeds. A request still running after the
// timeout is abandoned (its goroutine stays blocked) and reported.
func Serve(ctx context.Context, h http.Handler, c *capsule.Capsule, timeout time.Duration) *Outcome {
	if timeout <= 0 {
		timeout = time.Duration(c.Deadline)
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		// A little slack over the recorded deadline: the handler's own
		// deadline handling must get its chance to answer.
		timeout += timeout / 5
	}
	s := newSession(c)
	defer s.close()
	req := httptest.NewRequest(c.Request.Method, c.Request.Path, strings.NewReader(c.Request.Body))
	if c.Request.Query != "" {
		req.URL.RawQuery = c.Request.Query
	}
	if c.Request.Host != "" {
		req.Host = c.Request.Host
	}
	for k, vs := range c.Request.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.ContentLength = int64(len(c.Request.Body))
	req = req.WithContext(capture.WithReplay(ctx, s))
	rec := httptest.NewRecorder()
	o := &Outcome{Capsule: c.ID}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				o.Panic = fmt.Sprint(v)
				o.PanicStack = string(debug.Stack())
			}
		}()
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
		o.Duration = time.Since(start)
		o.Status = rec.Code
		o.Body = rec.Body.Bytes()
		if o.Panic != "" {
			o.Status = http.StatusInternalServerError
		}
	case <-time.After(timeout):
		o.Duration = time.Since(start)
		o.TimedOut = true
	}
	o.Unmatched, o.Calls = s.unmatched(), s.answered()
	return o
}

func goroutines() string {
	var b bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&b, 2)
	return b.String()
}

// session is one replayed request: the recorded clock and seeds, and a
// loopback server answering the recorded outbound calls.
type session struct {
	c     *capsule.Capsule
	mu    sync.Mutex
	clock int
	seeds int
	used  []bool
	miss  []string
	calls []string // answered, in order
	srv   *httptest.Server
	base  time.Time
}

func newSession(c *capsule.Capsule) *session {
	s := &session{c: c, used: make([]bool, len(c.Outbound)), base: time.Now()}
	if len(c.Outbound) > 0 {
		s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.answer))
		// Loopback only: the mock never listens beyond this machine.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err == nil {
			s.srv.Listener = l
			s.srv.Start()
		} else {
			s.srv = nil
		}
	}
	return s
}

func (s *session) close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Now returns the next recorded reading; past the last one, the last
// reading plus the time elapsed since, so durations stay sensible.
func (s *session) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.c.Clock) == 0 {
		return time.Unix(0, s.c.Start).Add(time.Since(s.base))
	}
	if s.clock < len(s.c.Clock) {
		t := s.c.Clock[s.clock]
		s.clock++
		return time.Unix(0, t)
	}
	return time.Unix(0, s.c.Clock[len(s.c.Clock)-1]).Add(time.Since(s.base))
}

// Seed returns the next recorded seed for name (or, past the record, a
// fixed one).
func (s *session) Seed(name string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := s.seeds; i < len(s.c.Seeds); i++ {
		if s.c.Seeds[i].Name == name {
			s.seeds = i + 1
			return s.c.Seeds[i].Seed
		}
	}
	return 0x7a67 // "tag": deterministic when the record runs out
}

// RoundTrip sends the call to the loopback mock, keeping its path, so the
// handler's client code runs for real.
func (s *session) RoundTrip(req *http.Request) (*http.Response, error) {
	if s.srv == nil {
		s.mu.Lock()
		s.miss = append(s.miss, req.Method+" "+req.URL.String())
		s.mu.Unlock()
		return nil, fmt.Errorf("replay: capsule %s recorded no outbound calls, but the handler called %s %s", s.c.ID, req.Method, req.URL.Redacted())
	}
	r2 := req.Clone(req.Context())
	r2.Header.Set("X-Tag-Original-Url", req.URL.String())
	r2.URL.Scheme = "http"
	r2.URL.Host = s.srv.Listener.Addr().String()
	r2.Host = req.URL.Host
	return http.DefaultTransport.RoundTrip(r2)
}

// answer serves one outbound call from the capsule: first by request
// digest, then the first unused call with the same method and URL, then
// the same method and path.
func (s *session) answer(w http.ResponseWriter, r *http.Request) {
	orig := r.Header.Get("X-Tag-Original-Url")
	body, _ := io.ReadAll(r.Body)
	dg := capsule.CallDigest(r.Method, orig, body)
	s.mu.Lock()
	i := s.match(func(c capsule.Call) bool { return c.RequestDigest == dg })
	if i < 0 {
		i = s.match(func(c capsule.Call) bool { return c.Method == r.Method && c.URL == orig })
	}
	if i < 0 {
		i = s.match(func(c capsule.Call) bool { return c.Method == r.Method && samePath(c.URL, orig) })
	}
	if i < 0 {
		s.miss = append(s.miss, r.Method+" "+orig)
		s.mu.Unlock()
		w.Header().Set("X-Tag-Replay", "unmatched")
		http.Error(w, "replay: no recorded answer for "+r.Method+" "+orig, http.StatusBadGateway)
		return
	}
	s.used[i] = true
	c := s.c.Outbound[i]
	s.calls = append(s.calls, c.Method+" "+c.URL)
	s.mu.Unlock()
	if c.Error != "" {
		// The recorded call failed without a response: fail the same way.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	for k, vs := range c.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Del("Content-Length")
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	w.WriteHeader(c.Status)
	io.WriteString(w, c.Body)
}

func (s *session) match(f func(capsule.Call) bool) int {
	for i, c := range s.c.Outbound {
		if !s.used[i] && f(c) {
			return i
		}
	}
	return -1
}

func samePath(a, b string) bool {
	cut := func(s string) string {
		if i := strings.IndexByte(s, '?'); i >= 0 {
			return s[:i]
		}
		return s
	}
	return cut(a) == cut(b)
}

func (s *session) unmatched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.miss...)
}

func (s *session) answered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}
