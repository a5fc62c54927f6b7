package diff_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/analysis/diff"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	"github.com/tagdebug/tag/internal/analysis/invariant"
)

const (
	healthyRuns  = 50
	degradedRuns = 10
)

// TestDifferentialOnRealService runs testdata/service, a real program
// traced by the OpenTelemetry Go SDK and exporting OTLP/HTTP to a
// loopback receiver here, healthy 50 times and degraded (the planted
// cause: region eu-west-1) 10 times, and checks that the diff and the
// invariants point at what was planted. Assertions are on rankings and
// presence, never on measured times.
func TestDifferentialOnRealService(t *testing.T) {
	rc := &receiver{t: t}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	shop := startShop(t, srv.URL+"/v1/traces")
	regions, tiers := []string{"us-east-1", "eu-central-1", "ap-south-1"}, []string{"gold", "silver", "free"}
	var failing []string
	for i := range healthyRuns + degradedRuns {
		region, tier := regions[i%3], tiers[i/3%3]
		if i >= healthyRuns {
			region, tier = "eu-west-1", tiers[i%3]
		}
		id, status := shop.checkout(t, region, tier, i, 1+i*7%20)
		if want := i >= healthyRuns; (status == http.StatusServiceUnavailable) != want {
			t.Fatalf("request %d (%s): status %d", i, region, status)
		}
		if i >= healthyRuns {
			failing = append(failing, id)
		}
	}
	shop.stop(t)
	g := rc.graph()
	refs := make([]cohort.Ref, len(failing))
	for i, id := range failing {
		refs[i] = cohort.Ref{Graph: g, TraceID: id}
	}
	s, err := cohort.Assemble(refs, g)
	if err != nil {
		t.Fatal(err)
	}
	if s.Key != (cohort.Key{Service: "frontend", Endpoint: "GET /checkout", Version: "1.4.2"}) || len(s.Healthy) != healthyRuns {
		t.Fatalf("split: key %+v, %d healthy, %d failing", s.Key, len(s.Healthy), len(s.Failing))
	}
	t.Run("cohort", func(t *testing.T) { checkRealDiff(t, diff.Compare(s, diff.Options{})) })
	t.Run("one", func(t *testing.T) {
		one := *s
		one.Failing = s.Failing[:1]
		checkRealDiff(t, diff.Compare(&one, diff.Options{}))
	})
	t.Run("invariants", func(t *testing.T) { checkRealInvariants(t, invariant.Run(s, invariant.Options{})) })
}

const (
	rootPath = "frontend GET /checkout"
	callPath = rootPath + " > frontend POST /reserve"
)

func checkRealDiff(t *testing.T, r *diff.Report) {
	if top := r.Attributes.Divergent[0]; top.Key != "region" || top.Value != "eu-west-1" || top.SpanType != rootPath {
		t.Errorf("top attribute divergence = %+v, want region=eu-west-1 on the root", top)
	}
	st := r.Structure
	if len(st.Missing) != 1 || st.Missing[0].Path != rootPath+" > frontend cache.get" {
		t.Errorf("missing = %+v", st.Missing)
	}
	if len(st.Extra) != 1 || st.Extra[0].Path != rootPath+" > frontend SELECT orders" || st.Extra[0].HealthyTraces != 0 {
		t.Errorf("extra = %+v", st.Extra)
	}
	// The slow query (new, 30 ms) and the inventory server span (40 ms
	// beyond its usual self time) added by far the most time; which of
	// the two leads depends on the machine, so only the pair is checked.
	if len(r.Timing.Grown) < 2 {
		t.Fatalf("grown = %+v", r.Timing.Grown)
	}
	top2 := map[string]diff.Segment{r.Timing.Grown[0].Path: r.Timing.Grown[0], r.Timing.Grown[1].Path: r.Timing.Grown[1]}
	q, okq := top2[rootPath+" > frontend SELECT orders"]
	inv, oki := top2[callPath+" > inventory POST /reserve"]
	if !okq || !oki || !q.New || inv.New || inv.Ratio < 2 {
		t.Errorf("top grown segments = %+v", r.Timing.Grown[:2])
	}
	if r.Timing.TotalRatio < 2 {
		t.Errorf("total = %+v ratio %v", r.Timing.Total, r.Timing.TotalRatio)
	}
}

func checkRealInvariants(t *testing.T, r *invariant.Report) {
	const root, inv = "frontend GET /checkout", "inventory POST /reserve"
	type want struct {
		kind     invariant.Kind
		typ, key string
		observed string // a prefix
	}
	for _, w := range []want{
		{invariant.Status, root, "", "error: cart read from a lagging replica"},
		{invariant.Enum, root, "region", "eu-west-1"},
		{invariant.Enum, inv, "region", "eu-west-1"},
		{invariant.Range, root, "http.response.status_code", "503"},
		{invariant.NonNull, root, "cache.hit", "absent"},
		{invariant.Count, "frontend cache.get", "", "0 spans"},
		{invariant.Known, "frontend SELECT orders", "", "frontend SELECT orders"},
		{invariant.Duration, inv, "", ""},
	} {
		v := findViolation(r, w.kind, w.typ, w.key)
		switch {
		case v == nil:
			t.Errorf("%s %s %s not broken", w.kind, w.typ, w.key)
		case !strings.HasPrefix(v.Observed, w.observed) || v.Traces != degradedRuns || len(v.Nodes) == 0:
			t.Errorf("%s %s %s: %+v", w.kind, w.typ, w.key, v)
		}
	}
	for _, v := range r.Broken {
		if v.Invariant.Support < 5 {
			t.Errorf("weak invariant reported: %+v", v)
		}
	}
}

func findViolation(r *invariant.Report, kind invariant.Kind, typ, key string) *invariant.Violation {
	for i := range r.Broken {
		if v := &r.Broken[i]; v.Invariant.Kind == kind && v.Invariant.SpanType == typ && v.Invariant.Key == key {
			return v
		}
	}
	return nil
}
