package cohort_test

import (
	"errors"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
)

func checkout(version, status string, kids ...ct.S) ct.S {
	return ct.S{Service: "shop", Name: "GET /cart/42", Start: 0, End: 100,
		Attrs: ct.Attrs(epg.AttrHTTPRoute, "/cart/{id}", "http.request.method", "GET",
			"resource.service.version", version, epg.AttrStatusCode, status, epg.AttrSpanKind, "server"),
		Kids: kids}
}

func TestLoadBuildsOrderedCallTree(t *testing.T) {
	f := &epg.Fragment{}
	ct.Add(f, ct.TraceID(0), 1000, checkout("1", "ok",
		ct.S{Service: "shop", Name: "db", Start: 50, End: 90},
		ct.S{Service: "shop", Name: "cache", Start: 10, End: 40,
			Kids: []ct.S{{Service: "redis", Name: "GET", Start: 20, End: 30}}},
		ct.S{Service: "shop", Name: "db", Start: 60, End: 95}, // overlaps the first db call
	))
	tr, err := cohort.Load(ct.Graph(f), ct.TraceID(0))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		path string
		self int64
	}{
		{"shop GET /cart/{id}", 100 - 30 - 45},
		{"shop GET /cart/{id} > shop cache", 20},
		{"shop GET /cart/{id} > shop cache > redis GET", 10},
		{"shop GET /cart/{id} > shop db", 40},
		{"shop GET /cart/{id} > shop db", 35},
	}
	if len(tr.Spans) != len(want) {
		t.Fatalf("spans = %+v", tr.Spans)
	}
	for i, w := range want {
		if s := tr.Spans[i]; s.Path != w.path || s.Self != w.self {
			t.Errorf("span %d = %q self %d, want %q self %d", i, s.Path, s.Self, w.path, w.self)
		}
	}
	if tr.Spans[2].Parent != 1 || tr.Spans[2].Depth != 2 || tr.Spans[0].Parent != -1 {
		t.Errorf("parents/depths wrong: %+v", tr.Spans)
	}
	if k := tr.Key(); k != (cohort.Key{Service: "shop", Endpoint: "GET /cart/{id}", Version: "1"}) {
		t.Errorf("key = %+v", k)
	}
}

func TestAssembleSelectsHealthyTracesOfTheEndpointAndVersion(t *testing.T) {
	f := &epg.Fragment{}
	ct.Add(f, ct.TraceID(0), 0, checkout("1", "error"))                                  // the failing one
	ct.Add(f, ct.TraceID(1), 0, checkout("1", "ok"))                                     // healthy
	ct.Add(f, ct.TraceID(2), 0, checkout("2", "ok"))                                     // other version
	ct.Add(f, ct.TraceID(3), 0, checkout("1", "unset", ct.S{Service: "shop", Name: "db", // failed below
		Attrs: ct.Attrs(epg.AttrStatusCode, "error")}))
	ct.Add(f, ct.TraceID(4), 0, ct.S{Service: "shop", Name: "GET /other"})
	g := ct.Graph(f)
	s, err := cohort.Assemble([]cohort.Ref{{Graph: g, TraceID: ct.TraceID(0)}}, g)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failing) != 1 || len(s.Healthy) != 1 || s.Healthy[0].ID != ct.TraceID(1) {
		t.Errorf("split = %+v", s)
	}
	if _, err := cohort.Assemble([]cohort.Ref{{Graph: g, TraceID: ct.TraceID(4)}}, g); !errors.Is(err, cohort.ErrNoBaseline) {
		t.Errorf("lonely endpoint: err = %v", err)
	}
	if _, err := cohort.Assemble([]cohort.Ref{{Graph: g, TraceID: ct.TraceID(0)}, {Graph: g, TraceID: ct.TraceID(4)}}, g); err == nil {
		t.Error("failing traces of two endpoints were accepted")
	}
	if s, err := cohort.Single(g, ct.TraceID(0)); err != nil || len(s.Healthy) != 1 {
		t.Errorf("Single: %v, %+v", err, s)
	}
	if _, err := cohort.Load(g, "nope"); !errors.Is(err, cohort.ErrNoTrace) {
		t.Errorf("missing trace: err = %v", err)
	}
}

func TestTypeOfNormalisesIdentifiers(t *testing.T) {
	for name, want := range map[string]string{
		"GET /users/42":     "api GET /users/{id}",
		"GET /v2/items?x=1": "api GET /v2/items",
		"GET /o/123e4567-e89b-12d3-a456-426614174000/lines": "api GET /o/{id}/lines",
		"SELECT orders": "api SELECT orders",
		"GET":           "api GET /items/{id}",
	} {
		n := &epg.Node{Service: "api", Name: name, Attrs: epg.Attrs{{Key: epg.AttrHTTPRoute, Value: epg.String("/items/{id}")}}}
		if got := cohort.TypeOf(n); got != want {
			t.Errorf("TypeOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestVolatile(t *testing.T) {
	for key, want := range map[string]bool{
		"customer.id": true, "request_id": true, "parent_span_id": true, "created_at": true,
		"region": false, "http.route": false, "cache.hit": false, "db.rows": false,
	} {
		if got := cohort.Volatile(key); got != want {
			t.Errorf("Volatile(%q) = %v", key, got)
		}
	}
}
