package shop

import (
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tagdebug/tag/sdk/go/capture"
)

// DefaultWork is the slow part of a reservation in production.
const DefaultWork = 300 * time.Millisecond

// Config keys the shop registers with the capture SDK; replay rebuilds the
// shop from them.
const (
	ConfigWork     = "inventory_work"
	ConfigFraudURL = "fraud_url"
)

func init() {
	capture.RegisterFactory("shop", Factory)
}

// Factory builds the shop's handler from its config values, as
// production wires it (without instrumentation). Replay serves recorded
// requests through it.
func Factory(cfg capture.Config) http.Handler {
	work := DefaultWork
	if d, err := time.ParseDuration(cfg[ConfigWork]); err == nil {
		work = d
	}
	s := New(work)
	s.FraudURL = cfg[ConfigFraudURL]
	return s.Handler(nil)
}

// CaptureOptions are the shop's capture settings: which request fields
// may leave the process in the clear (the rest become tokens), when to
// keep a capsule, and the watchdog deadline — above the checkout's 2.5 s
// timeout, so only requests that ignore their deadline are hangs.
func CaptureOptions(endpoint string) capture.Options {
	return capture.Options{
		Service:          "shop",
		Endpoint:         endpoint,
		SampleRate:       0.1,
		LatencyThreshold: 2 * time.Second,
		Deadline:         4 * time.Second,
		HeaderAllowlist:  []string{"X-Request-Id"},
		BodyFields:       []string{"amount", "discount_code", "sku", "qty", "from", "to", "k"},
		ResponseHosts:    []string{"127.0.0.1", "localhost", "fraud.shop.internal"},
		FlightRecorder:   true,
	}
}

// Configure registers the shop's config values with rec.
func (s *Shop) Configure(rec *capture.Recorder) {
	rec.SetConfig(ConfigWork, s.Inventory.Work.String())
	rec.SetConfig(ConfigFraudURL, s.FraudURL)
}

// Wrap instruments every route the production way: the OpenTelemetry
// server span outside, TAG's capture inside it (so it sees the span).
func Wrap(tracer trace.Tracer, rec *capture.Recorder) func(string, http.Handler) http.Handler {
	otel := Instrument(tracer)
	return func(pattern string, h http.Handler) http.Handler {
		return otel(pattern, rec.Middleware(pattern, h))
	}
}
