package template

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/examples/shop"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/store"
)

// childEnv selects a failure for the test binary to reproduce in a child
// process, so the evidence is what the real runtime prints for the
// example shop's real code.
const childEnv = "TAG_TEMPLATE_CHILD"

func TestMain(m *testing.M) {
	if mode := os.Getenv(childEnv); mode != "" && mode != "transfer" && mode != "inventory" {
		runChild(mode)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runChild(mode string) {
	switch mode {
	case "pay": // the unknown discount code of POST /pay
		o := shop.Order{Amount: 12.99, Discount: "SPRING"}
		fmt.Println(shop.Price(o, shop.LookupDiscount(o.Discount)))
	case "topusers": // concurrent readers of the cache (run with -race)
		c := shop.New(0).Users
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 20 {
					c.TopUsers(3)
				}
			})
		}
		wg.Wait()
	}
}

// TestChildTransfer runs opposite transfers until they deadlock; the
// parent runs it with a short -test.timeout, so the evidence is the
// testing package's own timeout dump of the stuck goroutines.
func TestChildTransfer(t *testing.T) {
	if os.Getenv(childEnv) != "transfer" {
		t.Skip("a child of TestTransferLockOrder")
	}
	b := shop.NewBank(map[string]int64{"alice": 1 << 40, "bob": 1 << 40})
	var wg sync.WaitGroup
	for _, d := range [][2]string{{"alice", "bob"}, {"bob", "alice"}} {
		wg.Go(func() {
			for {
				b.Transfer(d[0], d[1], 1)
			}
		})
	}
	wg.Wait()
}

// TestChildInventory reserves four SKUs at once with slow work; the
// parent's short -test.timeout dumps them queued on the global lock.
func TestChildInventory(t *testing.T) {
	if os.Getenv(childEnv) != "inventory" {
		t.Skip("a child of TestInventoryPerKeyLock")
	}
	inv := shop.NewInventory(time.Hour, 10, "sku-1", "sku-2", "sku-3", "sku-4")
	var wg sync.WaitGroup
	for _, sku := range []string{"sku-1", "sku-2", "sku-3", "sku-4"} {
		wg.Go(func() { inv.Reserve(context.Background(), sku, 1) })
	}
	wg.Wait()
}

// child runs the test binary in a failure mode and returns its output.
func child(t *testing.T, mode string, args ...string) string {
	t.Helper()
	if len(args) == 0 {
		args = []string{"-test.run=^$"}
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	out, _ := cmd.CombinedOutput()
	return string(out)
}

// report ingests evidence files and analyses the incident of the kind.
func report(t *testing.T, kind string, src []string, files ...string) (*rca.Report, *epg.Graph) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &ingest.Pipeline{Store: st, Origin: ingest.Origin{SourceRoots: src}}
	if _, err := p.Files(ctx, files, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, in := range ins {
		kinds = append(kinds, in.Kind+": "+in.Title)
		if in.Kind != kind {
			continue
		}
		v, err := inspect.Load(ctx, st, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		return rca.Analyze(v), v.Graph
	}
	t.Fatalf("no %s incident among %q", kind, kinds)
	return nil, nil
}

// evidenceFile writes a child's output as an evidence file.
func evidenceFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func repoRoot() string { return evidencetest.RepoRoot() }

func shopDir() string { return filepath.Join(repoRoot(), "examples", "shop") }

func must(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(format, args...)
	}
}

var _ = strings.Contains
