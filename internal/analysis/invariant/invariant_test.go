package invariant_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
	"github.com/tagdebug/tag/internal/analysis/invariant"
)

// find returns the first violation of kind about span type typ (and key).
func find(r *invariant.Report, kind invariant.Kind, typ, key string) *invariant.Violation {
	for i := range r.Broken {
		v := &r.Broken[i]
		if v.Invariant.Kind == kind && v.Invariant.SpanType == typ && v.Invariant.Key == key {
			return v
		}
	}
	return nil
}

func TestMineHealthyCheckout(t *testing.T) {
	s := ct.Shop(t, 40, 1)
	set := invariant.Mine(s.Healthy, invariant.Options{})
	var got []string
	for _, inv := range set.Invariants {
		got = append(got, inv.Statement)
	}
	for _, want := range []string{
		"shop GET /checkout ends with status ok",
		"shop GET /checkout region is one of {ap-south-1, eu-central-1, us-east-1}",
		"shop GET /checkout always has cart",
		"a trace has 1 to 1 shop cache.get spans",
		"inventory POST /reserve is always called by shop GET /checkout",
		"inventory POST /reserve starts after shop cache.get ends",
		"every span is of one of the 3 types seen",
		"shop cache.get lasts 500µs to 1.5ms",
		"shop GET /checkout items is within [0, 39.6] (seen 0 to 36)",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("missing invariant %q", want)
		}
	}
	for _, g := range got {
		if strings.Contains(g, "customer.id is") || strings.Contains(g, "cart is one of") {
			t.Errorf("identifier mined as a value invariant: %q", g)
		}
	}
}

func TestCheckBrokenCheckout(t *testing.T) {
	s := ct.Shop(t, 40, 3)
	r := invariant.Run(s, invariant.Options{})
	const root, cache, reserve = "shop GET /checkout", "shop cache.get", "inventory POST /reserve"
	for _, c := range []struct {
		kind      invariant.Kind
		typ, key  string
		observed  string
		nodesFrom string // a span ID suffix the evidence must cite
	}{
		{invariant.Status, root, "", "error", ":0000000000000001"},
		{invariant.Enum, root, "region", "eu-west-1", ":0000000000000001"},
		{invariant.Range, root, "items", "40", ":0000000000000001"},
		{invariant.Count, cache, "", "0 spans", ":0000000000000001"}, // cited at its caller
		{invariant.Count, reserve, "", "3 spans", ":0000000000000004"},
		{invariant.Known, "shop SELECT orders", "", "shop SELECT orders", ":0000000000000002"},
		{invariant.Duration, root, "", "50ms", ":0000000000000001"},
	} {
		v := find(r, c.kind, c.typ, c.key)
		switch {
		case v == nil:
			t.Errorf("%s %s %s not broken", c.kind, c.typ, c.key)
		case v.Observed != c.observed || v.Traces != 3 || !strings.HasSuffix(v.Nodes[0], c.nodesFrom):
			t.Errorf("%s %s %s: %+v", c.kind, c.typ, c.key, v)
		}
	}
	if r.Broken[0].Invariant.Support < r.Broken[len(r.Broken)-1].Invariant.Support {
		t.Error("violations not ranked by support")
	}
	if v := find(r, invariant.Known, "shop pool.acquire", ""); v != nil {
		t.Errorf("a new subtree is one violation, at its top: %+v", v)
	}
	if v := find(r, invariant.NonNull, root, "cart"); v != nil {
		t.Errorf("cart is present on every span: %+v", v)
	}
}

func TestCheckIsDeterministicAndBounded(t *testing.T) {
	s := ct.Shop(t, 40, 3)
	a, _ := json.Marshal(invariant.Run(s, invariant.Options{}))
	slices.Reverse(s.Healthy)
	b, _ := json.Marshal(invariant.Run(s, invariant.Options{}))
	if string(a) != string(b) {
		t.Errorf("healthy order changed the report:\n%s\n%s", a, b)
	}
	r := invariant.Run(s, invariant.Options{TopN: 2, MaxNodes: 1})
	if len(r.Broken) != 2 || r.Omitted == 0 || len(r.Broken[0].Nodes) != 1 {
		t.Errorf("bounded report = %+v", r)
	}
}

func TestTooLittleSupportMinesNothingSpanLevel(t *testing.T) {
	s := ct.Shop(t, 3, 1)
	set := invariant.Mine(s.Healthy, invariant.Options{})
	if len(set.Invariants) != 0 {
		t.Errorf("3 traces, support 5: %+v", set.Invariants)
	}
	if r := set.Check([]*cohort.Trace{s.Failing[0]}); len(r.Broken) != 0 {
		t.Errorf("broken = %+v", r.Broken)
	}
}
