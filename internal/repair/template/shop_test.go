package template

import (
	"context"
	"os"
	"os/exec"
	"strings"
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

// shopRace runs the shop's own race-proving child test under the race
// detector and returns the detector's report.
func shopRace(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "test", "-race", "-count=1", "-run", "^TestTopUsersRace$", ".")
	cmd.Dir = shopDir()
	cmd.Env = append(os.Environ(), "SHOP_RACE_CHILD=1", "CGO_ENABLED=1")
	out, _ := cmd.CombinedOutput()
	must(t, strings.Contains(string(out), "WARNING: DATA RACE"), "no race report:\n%s", out)
	return string(out)
}

// TestTopUsersCopyBeforeSort: the real race report of GET /top-users.
func TestTopUsersCopyBeforeSort(t *testing.T) {
	rep, g := report(t, "race", nil, evidenceFile(t, "topusers-race.txt", shopRace(t)))
	req := &repair.Request{Report: rep, Graph: g}
	c := propose(t, req, "copy-before-sort")
	recordCase(t, "shop GET /top-users (race)", req, c)
	redGreen(t, repoRoot(), "examples/shop", c, "-race")
}

// TestTransferLockOrder: the runtime's own deadlock dump of opposite
// transfers.
func TestTransferLockOrder(t *testing.T) {
	out := child(t, "transfer", "-test.run=^TestChildTransfer$", "-test.timeout=1s")
	must(t, strings.Count(out, "(*Bank).Transfer") >= 2, "the transfers did not deadlock:\n%s", out)
	rep, g := report(t, "blocked", []string{shopDir()}, evidenceFile(t, "transfer-timeout-dump.txt", out))
	req := &repair.Request{Report: rep, Graph: g, Inputs: map[string]string{"body": `{"from":"alice","to":"bob","amount":10}`}}
	c := propose(t, req, "lock-order")
	recordCase(t, "shop POST /transfer (deadlock)", req, c)
	redGreen(t, repoRoot(), "examples/shop", c)
}

// TestInventoryPerKeyLock: the testing package's timeout dump of
// checkouts of different SKUs queued on the inventory's one mutex.
func TestInventoryPerKeyLock(t *testing.T) {
	out := child(t, "inventory", "-test.run=^TestChildInventory$", "-test.timeout=1s")
	must(t, strings.Contains(out, "(*Inventory).Reserve"), "no reservation in the dump:\n%s", out)
	rep, g := report(t, "blocked", []string{shopDir()}, evidenceFile(t, "inventory-timeout-dump.txt", out))
	req := &repair.Request{Report: rep, Graph: g, Inputs: map[string]string{"body": `{"sku":"sku-1","qty":1}`}}
	c := propose(t, req, "per-key-lock")
	recordCase(t, "shop POST /v1/checkout (blocked)", req, c)
	redGreen(t, repoRoot(), "examples/shop", c)
}
