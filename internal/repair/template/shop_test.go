package template

import (
	"context"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// propose runs the proposer on the repository and returns the candidate
// of the template.
func propose(t *testing.T, req *repair.Request, template string) repair.Candidate {
	t.Helper()
	if req.Repo == "" {
		req.Repo = repoRoot()
	}
	cs, err := Proposer{}.Propose(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Template == template {
			t.Logf("%s: %s\n%s\n%s", c.Template, c.Why, c.Patch, c.Test)
			return c
		}
	}
	t.Fatalf("no %s candidate among %d; report candidates %+v", template, len(cs), req.Report.Candidates)
	return repair.Candidate{}
}

// TestPayNilGuard: the real panic of POST /pay with an unknown code.
func TestPayNilGuard(t *testing.T) {
	rep, g := report(t, "panic", nil, evidenceFile(t, "pay-panic.txt", child(t, "pay")))
	req := &repair.Request{Report: rep, Graph: g, Inputs: map[string]string{"body": `{"amount":12.99,"discount_code":"SPRING"}`}}
	c := propose(t, req, "nil-guard")
	recordCase(t, "shop POST /pay (panic)", req, c)
	redGreen(t, repoRoot(), "examples/shop", c)
}
