package diff_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
)

func TestCompareFindsPlantedDifferences(t *testing.T) {
	for _, failing := range []int{1, 5} {
		t.Run(fmt.Sprintf("failing=%d", failing), func(t *testing.T) {
			s := ct.Shop(t, 40, failing)
			if len(s.Healthy) != 40 || len(s.Failing) != failing {
				t.Fatalf("split %d/%d", len(s.Healthy), len(s.Failing))
			}
			r := diff.Compare(s, diff.Options{})
			checkStructure(t, r.Structure)
			checkTiming(t, r.Timing)
			checkAttributes(t, r.Attributes, failing)
		})
	}
}

func checkStructure(t *testing.T, s diff.Structure) {
	t.Helper()
	if len(s.Missing) != 1 || s.Missing[0].Path != "shop GET /checkout > shop cache.get" ||
		s.Missing[0].HealthyShare != 1 || s.Missing[0].FailingShare != 0 || len(s.Missing[0].Nodes) == 0 {
		t.Errorf("missing = %+v", s.Missing)
	}
	if len(s.Extra) != 1 || s.Extra[0].Operation != "SELECT orders" || s.Extra[0].Folded != 1 {
		t.Errorf("extra = %+v (want SELECT orders with pool.acquire folded in)", s.Extra)
	}
	if len(s.Repeated) != 1 || s.Repeated[0].Operation != "POST /reserve" || s.Repeated[0].FailingCount != 3 || s.Repeated[0].HealthyCount != 1 {
		t.Errorf("repeated = %+v", s.Repeated)
	}
}

func checkTiming(t *testing.T, tm diff.Timing) {
	t.Helper()
	if tm.TotalRatio != 5 || tm.Total.Failing != 50*ct.Ms {
		t.Errorf("total = %+v ratio %v", tm.Total, tm.TotalRatio)
	}
	var paths []string
	for _, g := range tm.Grown {
		paths = append(paths, g.Operation)
	}
	// pool.acquire holds 29 ct.Ms itself; the query 6 ct.Ms beyond it; the
	// root's own time grew by 10-1-1-(1) ct.Ms; reserve ran three times.
	if want := []string{"pool.acquire", "GET /checkout", "SELECT orders", "POST /reserve"}; !slices.Equal(paths, want) {
		t.Errorf("grown = %v, want %v", paths, want)
	}
	if g := tm.Grown[0]; !g.New || g.Excess != 29*ct.Ms || g.Ratio != 0 {
		t.Errorf("top segment = %+v", g)
	}
	if g := tm.Grown[3]; g.New || g.Ratio != 3 || g.Self.Median != ct.Ms {
		t.Errorf("reserve = %+v", g)
	}
}

func checkAttributes(t *testing.T, a diff.Attributes, failing int) {
	t.Helper()
	if len(a.Divergent) == 0 {
		t.Fatal("no attribute divergence")
	}
	top := a.Divergent[0]
	if top.Key != "region" || top.Value != "eu-west-1" || top.SpanType != "shop GET /checkout" || top.AlsoOn != 1 ||
		top.FailingSpans != failing || top.HealthySpans != 0 || top.Difference != 1 {
		t.Errorf("top divergence = %+v", top)
	}
	// Failing carts hold 40-44 items, healthy ones 0-36: the bucket
	// [32,64) separates them almost as well as the region.
	if len(a.Divergent) < 2 || a.Divergent[1].Key != "items" || a.Divergent[1].Value != "[32,64)" || a.Divergent[1].Difference < 0.8 {
		t.Errorf("second divergence = %+v", a.Divergent[1:])
	}
	for _, d := range a.Divergent {
		switch {
		case d.Key == "customer.id" || d.Key == "cart" || d.Key == epg.AttrStatusCode:
			t.Errorf("identifier or outcome key ranked: %+v", d)
		case d.Key == "items" && !d.Bucketed:
			t.Errorf("numeric key with many values not bucketed: %+v", d)
		}
	}
}

func TestCompareIsDeterministicAndBounded(t *testing.T) {
	s := ct.Shop(t, 40, 5)
	want, _ := json.Marshal(diff.Compare(s, diff.Options{}))
	slices.Reverse(s.Healthy)
	got, _ := json.Marshal(diff.Compare(s, diff.Options{}))
	if string(got) != string(want) {
		t.Errorf("healthy order changed the report:\n%s\n%s", want, got)
	}
	r := diff.Compare(s, diff.Options{TopN: 1, MaxNodes: 2})
	if len(r.Timing.Grown) != 1 || r.Timing.Omitted != 3 || len(r.Failing) != 1 || len(r.Timing.Grown[0].Nodes) > 2 {
		t.Errorf("bounded timing = %+v", r.Timing)
	}
	if len(r.Attributes.Divergent) != 1 || len(r.Attributes.Divergent[0].Nodes) != 2 {
		t.Errorf("bounded attributes = %+v", r.Attributes)
	}
	if !strings.Contains(string(want), `"skipped_keys":1`) {
		t.Errorf("cart should count as one skipped key: %s", want)
	}
}

func TestCompareWithoutBaseline(t *testing.T) {
	s := ct.Shop(t, 3, 1)
	s.Healthy = nil
	r := diff.Compare(s, diff.Options{})
	if r.FailingCount != 1 || len(r.Structure.Missing) != 0 || len(r.Attributes.Divergent) != 0 {
		t.Errorf("report = %+v", r)
	}
}
