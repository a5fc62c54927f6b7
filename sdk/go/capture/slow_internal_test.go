package capture

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// TestJoinerDumpNamesItsRoute drives the watchdog's looks by hand, in
// the order a loaded machine can produce: at the first look only one
// request on /slow is late; a second /slow request and one on /other,
// both started before that dump, become late before the next look is
// due and join it. Every capsule's dump header names its own route, and
// the join adds it only where the header did not name it already.
func TestJoinerDumpNamesItsRoute(t *testing.T) {
	const threshold = time.Hour // the watchdog's own ticks stay out of the way
	r, err := New(Options{Service: "svc", LatencyThreshold: threshold, Exporter: discard{}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Shutdown(context.Background())
	t0 := time.Now()
	add := func(route string, start time.Time) *state {
		st := &state{rec: r, route: route, start: start, req: httptest.NewRequest("GET", "/x", nil),
			span: trace.SpanFromContext(context.Background())}
		r.inflight.add(st)
		return st
	}
	first := add("GET /slow", t0)
	second := add("GET /slow", t0.Add(30*time.Millisecond))
	other := add("GET /other", t0.Add(40*time.Millisecond))

	r.lookForSlow(t0.Add(threshold + 10*time.Millisecond)) // only the first is late
	r.lookForSlow(t0.Add(threshold + 50*time.Millisecond)) // the other two join

	header := func(st *state) string {
		l := st.slowLook()
		if l == nil {
			t.Fatalf("%s started at +%v has no look", st.route, st.start.Sub(t0))
		}
		a := l.dumpFor(st)
		if len(a) != 1 || a[0].Kind != capsule.AttachGoroutines {
			t.Fatalf("dump %+v", a)
		}
		line, _, _ := strings.Cut(string(a[0].Data), "\n")
		return line
	}
	if first.slowLook() != other.slowLook() || second.slowLook() != first.slowLook() {
		t.Fatal("the late requests did not share the one look")
	}
	want := capsule.SlowHeader + "1 requests past the 1h0m0s latency threshold: GET /slow"
	if h := header(first); h != want {
		t.Errorf("first: %q, want %q", h, want)
	}
	if h := header(second); h != want {
		t.Errorf("second, on a named route: %q, want %q", h, want)
	}
	if h := header(other); h != want+"; in flight then, late since: GET /other" {
		t.Errorf("other: %q", h)
	}
	if got := len(first.slowLook().peersOf(second)); got != 1 {
		t.Errorf("the second /slow request has %d peers, want the first", got)
	}
}

// discard is an Exporter that drops capsules: this test reads looks, not
// what is kept.
type discard struct{}

func (discard) Export(*capsule.Capsule) error { return nil }

func (discard) Shutdown(context.Context) error { return nil }
