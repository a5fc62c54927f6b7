package invariant_test

import (
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
	"github.com/tagdebug/tag/internal/analysis/invariant"
)

// job runs auth, then load, then save. In the broken run save starts
// before load has ended, and audit moves from under save to the root.
func job(broken bool) ct.S {
	audit := ct.S{Service: "w", Name: "audit", Start: 32, End: 34}
	save := ct.S{Service: "w", Name: "save", Start: 30, End: 40, Kids: []ct.S{audit}}
	root := ct.S{Service: "w", Name: "job", End: 50, Kids: []ct.S{
		{Service: "w", Name: "auth", Start: 1, End: 5},
		{Service: "w", Name: "load", Start: 10, End: 20},
	}}
	if broken {
		save.Start, save.Kids = 15, nil
		root.Kids = append(root.Kids, audit)
	}
	root.Kids = append(root.Kids, save)
	return root
}

func TestOrderingAndCallers(t *testing.T) {
	f := &epg.Fragment{}
	for i := range 11 {
		ct.Add(f, ct.TraceID(i), int64(i+1)*1000, job(i == 10))
	}
	g := ct.Graph(f)
	healthy := cohort.LoadAll(g)[:10]
	set := invariant.Mine(healthy, invariant.Options{})
	var after []string
	for _, inv := range set.Invariants {
		if inv.Kind == invariant.After {
			after = append(after, inv.Statement)
		}
	}
	// save-after-auth follows from save-after-load and load-after-auth.
	want := []string{"w audit starts after w load ends", "w load starts after w auth ends", "w save starts after w load ends"}
	if len(after) != len(want) {
		t.Fatalf("after = %q, want %q", after, want)
	}
	for i := range want {
		if after[i] != want[i] {
			t.Errorf("after[%d] = %q, want %q", i, after[i], want[i])
		}
	}
	broken, _ := cohort.Load(g, ct.TraceID(10))
	r := set.Check([]*cohort.Trace{broken})
	if v := find(r, invariant.After, "w save", ""); v == nil || len(v.Nodes) != 2 || v.Observed != "starts 5ns before it ends" {
		t.Errorf("save-after-load violation = %+v", v)
	}
	if v := find(r, invariant.ChildOf, "w audit", ""); v == nil || v.Observed != "w job" {
		t.Errorf("audit-called-by-save violation = %+v", v)
	}
}
