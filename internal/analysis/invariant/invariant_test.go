package invariant_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
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

func TestAboutKeepsWhatOneSpanShows(t *testing.T) {
	s := ct.Shop(t, 40, 1)
	const root = "shop GET /checkout"
	set := invariant.Mine(s.Healthy, invariant.Options{}).About(root, time.Duration(5*ct.Ms), "items")
	var kinds []string
	for _, inv := range set.Invariants {
		if inv.SpanType != root {
			t.Errorf("invariant of another type kept: %s", inv.Statement)
		}
		if inv.Kind == invariant.Duration && (inv.Bounds.Low != 0 || inv.Bounds.High < float64(15*ct.Ms+5*ct.Ms)) {
			t.Errorf("duration bounds %+v: want no lower bound and the upper one raised by the slack", inv.Bounds)
		}
		if (inv.Kind == invariant.Enum || inv.Kind == invariant.NonNull || inv.Kind == invariant.Range) && inv.Key != "items" {
			t.Errorf("invariant on a key not asked for: %s", inv.Statement)
		}
		kinds = append(kinds, string(inv.Kind))
	}
	for _, want := range []invariant.Kind{invariant.Status, invariant.Duration, invariant.Range, invariant.NonNull} {
		if !slices.Contains(kinds, string(want)) {
			t.Errorf("no %s invariant kept (kept %v)", want, kinds)
		}
	}
	// One fast healthy-looking root span passes; one with too many items,
	// an error status and a slow answer breaks exactly those three.
	f := &epg.Fragment{}
	ok := ct.Checkout(3, false)
	ok.End, ok.Kids = ct.Ms, nil // faster than production, and alone
	ct.Add(f, ct.TraceID(0), 100*ct.Ms, ok)
	bad := ct.Checkout(4, false)
	bad.End, bad.Kids = 40*ct.Ms, nil
	bad.Attrs = bad.Attrs.Set("items", epg.Int(90)).Set(epg.AttrStatusCode, epg.String("error"))
	ct.Add(f, ct.TraceID(1), 100*ct.Ms, bad)
	g := ct.Graph(f)
	okT, _ := cohort.Load(g, ct.TraceID(0))
	badT, _ := cohort.Load(g, ct.TraceID(1))
	if r := set.Check([]*cohort.Trace{okT}); len(r.Broken) != 0 {
		t.Errorf("a healthy root span alone broke %+v", r.Broken)
	}
	r := set.Check([]*cohort.Trace{badT})
	for _, k := range []invariant.Kind{invariant.Status, invariant.Duration, invariant.Range} {
		if v := find(r, k, root, map[invariant.Kind]string{invariant.Range: "items"}[k]); v == nil {
			t.Errorf("no %s violation in %+v", k, r.Broken)
		}
	}
}
