package incident

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

func graphOf(fs ...*epg.Fragment) *epg.Graph {
	b := epg.NewBuilder()
	for _, f := range fs {
		b.Add(f)
	}
	return b.Build()
}

func otlpTestdata(t *testing.T, name string) *epg.Fragment {
	return evidencetest.Decode(t, otlp.JSONDecoder{}, filepath.Join(evidencetest.RepoRoot(), "internal/evidence/otlp/testdata", name))
}

func TestExceptionPropagatedOnce(t *testing.T) {
	sigs := Detect(graphOf(otlpTestdata(t, "exceptions.json")), Options{})
	if len(sigs) != 1 {
		t.Fatalf("signals = %+v, want 1", sigs)
	}
	s := sigs[0]
	if s.Kind != KindException || s.ErrorType != "runtime.Error" || s.Service != "checkout" || s.Endpoint != "/cart/{id}" {
		t.Errorf("signal = %+v", s)
	}
	if s.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || len(s.Fingerprint) != 64 {
		t.Errorf("trace/fingerprint = %q %q", s.TraceID, s.Fingerprint)
	}
}

func span(trace, id, parent, name, status, msg string, start, end int64) (epg.Node, []epg.Edge) {
	n := epg.Node{ID: epg.SpanNodeID(trace, id), Kind: epg.KindSpan, Name: name, Service: "api", Start: start, End: end,
		Trace: epg.TraceRef{TraceID: trace, SpanID: id},
		Attrs: epg.Attrs{{Key: epg.AttrStatusCode, Value: epg.String(status)}}}
	if msg != "" {
		n.Attrs = n.Attrs.Set(epg.AttrStatusMessage, epg.String(msg))
	}
	var es []epg.Edge
	if parent != "" {
		es = append(es, epg.Edge{From: epg.SpanNodeID(trace, parent), To: n.ID, Kind: epg.EdgeCall})
	}
	return n, es
}

func frag(spans ...func() (epg.Node, []epg.Edge)) *epg.Fragment {
	f := &epg.Fragment{}
	for _, s := range spans {
		n, es := s()
		f.Nodes = append(f.Nodes, n)
		f.Edges = append(f.Edges, es...)
	}
	return f
}

func TestErrorOriginAndTimeouts(t *testing.T) {
	const tr = "0123456789abcdef0123456789abcdef"
	f := frag(
		func() (epg.Node, []epg.Edge) { return span(tr, "01", "", "GET /orders", "error", "", 0+1, 5e9) },
		func() (epg.Node, []epg.Edge) {
			return span(tr, "02", "01", "SELECT orders", "error", "pq: relation \"orders_2024\" does not exist", 2, 3)
		},
		func() (epg.Node, []epg.Edge) {
			return span(tr, "03", "01", "GET inventory", "error", "context deadline exceeded", 10, 4e9)
		},
	)
	sigs := Detect(graphOf(f), Options{})
	if len(sigs) != 2 {
		t.Fatalf("signals = %+v, want 2 (db error + timeout; root suppressed)", sigs)
	}
	if sigs[0].Kind != KindError || sigs[0].ErrorType != "pq: relation <str> does not exist" || sigs[0].Endpoint != "GET /orders" {
		t.Errorf("error signal = %+v", sigs[0])
	}
	if sigs[1].Kind != KindTimeout {
		t.Errorf("timeout signal = %+v", sigs[1])
	}
	// A slow but successful span is a timeout only past the deadline.
	slow := frag(func() (epg.Node, []epg.Edge) { return span(tr, "09", "", "GET /slow", "unset", "", 1, 3e9+1) })
	if got := Detect(graphOf(slow), Options{}); len(got) != 0 {
		t.Errorf("no deadline: %+v", got)
	}
	if got := Detect(graphOf(slow), Options{Deadline: 2 * time.Second}); len(got) != 1 || got[0].Kind != KindTimeout {
		t.Errorf("deadline 2s: %+v", got)
	}
	if got := Detect(graphOf(slow), Options{SLO: map[string]time.Duration{"GET /slow": time.Second}}); len(got) != 0 {
		t.Errorf("SLO applies to server spans only: %+v", got)
	}
}

func TestFingerprintGroupsVariableMessages(t *testing.T) {
	const tr1, tr2 = "11111111111111111111111111111111", "22222222222222222222222222222222"
	a := Detect(graphOf(frag(func() (epg.Node, []epg.Edge) { return span(tr1, "01", "", "load", "error", "user 42 not found", 1, 2) })), Options{})
	b := Detect(graphOf(frag(func() (epg.Node, []epg.Edge) { return span(tr2, "01", "", "load", "error", "user 7 not found", 1, 2) })), Options{})
	c := Detect(graphOf(frag(func() (epg.Node, []epg.Edge) { return span(tr2, "01", "", "load", "error", "permission denied", 1, 2) })), Options{})
	if a[0].Fingerprint != b[0].Fingerprint {
		t.Error("same failure with different numbers must group")
	}
	if a[0].Fingerprint == c[0].Fingerprint {
		t.Error("different failures must not group")
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		`user 42 not found`:                         "user <n> not found",
		`key "abc" missing at 0xc000123456`:         "key <str> missing at <hex>",
		`id 123e4567-e89b-12d3-a456-426614174000 x`: "id <uuid> x",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
