package verify

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
)

const shopReproTest = `package shop

import "testing"

func TestZZRepro(t *testing.T) { Price(Order{Amount: 40, Discount: "SPRING"}, LookupDiscount("SPRING")) }
`

const shopRegressionTest = `package shop

import "testing"

func TestPriceUnknownDiscount(t *testing.T) {
	if got := Price(Order{Amount: 40, Discount: "SPRING"}, nil); got != 40 {
		t.Fatalf("Price with an unknown discount = %v, want 40", got)
	}
}
`

// TestShopNilGuard verifies a hand-written nil guard for Price in the
// real examples/shop, copied (as committed) with only the packages of
// this module it needs. Its bug-proving test is expected to flip.
func TestShopNilGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("copies and builds examples/shop")
	}
	start := time.Now()
	repo := shopRepo(t)
	t.Logf("shop repository laid out in %v", time.Since(start).Round(time.Millisecond))
	patch := edit(t, repo, "examples/shop/pay.go", "func Price(o Order, d *Discount) float64 {\n",
		"func Price(o Order, d *Discount) float64 {\n\tif d == nil {\n\t\treturn o.Amount\n\t}\n")
	in := &Input{
		Repo: repo,
		Report: &rca.Report{Kind: "panic", Candidates: []rca.Candidate{
			{File: "examples/shop/pay.go", Line: 41, Function: "github.com/tagdebug/tag/examples/shop.Price"},
			{File: "examples/shop/pay.go", Function: "github.com/tagdebug/tag/examples/shop.(*Shop).Pay"},
		}},
		Candidate: repair.Candidate{
			Patch:    patch,
			Test:     gitDiff(t, "examples/shop/price_test.go", "", shopRegressionTest),
			TestName: "TestPriceUnknownDiscount",
			Template: "nil-guard",
			Files:    []string{"examples/shop/pay.go"},
		},
		Reproduce: goTestRepro("./examples/shop", "TestZZRepro", "nil pointer dereference", false,
			map[string]string{"examples/shop/zz_repro_test.go": shopReproTest}),
		ExpectFlip: []string{"TestPayPanicsOnUnknownDiscount"},
		TestFlags:  []string{"-short"},
		Limits:     Limits{Step: 3 * time.Minute},
		WorkDir:    t.TempDir(),
	}
	res := expect(t, in, Verified, "")
	t.Logf("verified in %.1fs", res.Seconds)
	for _, c := range res.Checks {
		if c.Name == CheckSuite && !strings.Contains(c.Detail, "TestPayPanicsOnUnknownDiscount") {
			t.Fatalf("suite does not mention the expected flip: %s", c.Detail)
		}
	}
}

// shopRepo extracts the committed examples/shop, go.mod and go.sum into a
// temporary module layout and adds the module's own packages it imports
// until nothing is missing.
func shopRepo(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	dir := t.TempDir()
	extract := func(paths ...string) {
		var tarball bytes.Buffer
		archive := exec.Command("git", "-C", root, "archive", "HEAD", "--")
		archive.Args = append(archive.Args, paths...)
		archive.Stdout = &tarball
		if err := archive.Run(); err != nil {
			t.Fatalf("git archive %v: %v", paths, err)
		}
		untar := exec.Command("tar", "-x", "-C", dir)
		untar.Stdin = &tarball
		if out, err := untar.CombinedOutput(); err != nil {
			t.Fatalf("tar: %v\n%s", err, out)
		}
	}
	extract("go.mod", "go.sum", "examples/shop")
	const module = "github.com/tagdebug/tag/"
	for range 8 {
		list := exec.Command("go", "list", "-e", "-deps", "-test", "-f", "{{.ImportPath}}", "./...")
		list.Dir, list.Env = dir, append(os.Environ(), goEnv(false)...)
		out, err := list.Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		var missing []string
		for _, p := range strings.Split(string(out), "\n") {
			rel, ok := strings.CutPrefix(p, module)
			if ok && !strings.HasSuffix(rel, ".test") && !strings.HasSuffix(rel, "_test") && !strings.Contains(rel, " ") {
				if !hasGoFiles(filepath.Join(dir, rel)) {
					missing = append(missing, rel)
				}
			}
		}
		if len(missing) == 0 {
			return dir
		}
		extract(missing...)
	}
	t.Fatal("examples/shop's imports did not close")
	return ""
}
