package verify

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/internal/repro"
)

// bugmod is the fixture repository: never modified by any test.
const bugmod = "testdata/bugmod"

// edit returns a git diff that makes the replacements (old, new, ...) in
// repo's file rel.
func edit(t *testing.T, repo, rel string, pairs ...string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repo, rel))
	if err != nil {
		t.Fatal(err)
	}
	text := string(src)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("%s has no %q", rel, pairs[i])
		}
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	return gitDiff(t, rel, string(src), text)
}

// gitDiff makes a git-style diff of rel from old to new content ("" old
// content is a new file).
func gitDiff(t *testing.T, rel, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(side, content string) {
		p := filepath.Join(dir, side, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	from := "/dev/null"
	if old != "" {
		write("a", old)
		from = "a/" + rel
	}
	write("b", new)
	cmd := exec.Command("git", "diff", "--no-index", "--src-prefix=x/", "--dst-prefix=y/", from, "b/"+rel)
	cmd.Dir = dir
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() != 1) {
		t.Fatalf("git diff: %v", err)
	}
	return strings.NewReplacer("x/a/", "a/", "x/b/", "a/", "y/b/", "b/").Replace(string(out))
}

// goTestRepro is a Reproduce that runs go test -run name in pkg of a tree
// in a sandbox and looks for signature in the output; a
// setup file, when given, is written into the tree first.
func goTestRepro(pkg, name, signature string, race bool, setup map[string]string) func(context.Context, string) (bool, string, error) {
	return func(ctx context.Context, dir string) (bool, string, error) {
		for rel, content := range setup {
			if err := os.WriteFile(filepath.Join(dir, rel), []byte(content), 0o644); err != nil {
				return false, "", err
			}
			defer os.Remove(filepath.Join(dir, rel))
		}
		args := []string{"go", "test", "-trimpath", "-count=1", "-run", "^" + name + "$"}
		if race {
			args = append(args, "-race")
		}
		sb, err := repro.NewScratchSandbox()
		if err != nil {
			return false, "", err
		}
		defer sb.Close()
		o, err := SandboxRunner{Sandbox: sb}.Run(ctx, Cmd{Dir: dir, Args: append(args, pkg), Env: goEnv(race), Timeout: 2 * time.Minute})
		if err != nil {
			return false, "", err
		}
		return strings.Contains(o.Output, signature), o.Output, nil
	}
}

const cartReproTest = `package cart

import "testing"

func TestZZRepro(t *testing.T) { Total(10, "NOPE") }
`

const cartRegressionTest = `package cart

import "testing"

func TestTotalUnknownCoupon(t *testing.T) {
	if got := Total(80, "NOPE"); got != 80 {
		t.Fatalf("Total(80, NOPE) = %v, want 80", got)
	}
}
`

const counterRegressionTest = `package counter

import (
	"sync"
	"testing"
)

func TestIncParallel(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				c.Inc()
			}
		})
	}
	wg.Wait()
	if got := c.Snapshot(); got != 400 {
		t.Fatalf("counted %d, want 400", got)
	}
}
`

const (
	cartReturn = "c := Lookup(code)\n\treturn"
	cartGuard  = "c := Lookup(code)\n\tif c == nil {\n\t\treturn Round(amount)\n\t}\n\treturn"
)

func cartInput(t *testing.T, name, patch string) *Input {
	return &Input{
		Repo:   bugmod,
		Report: &rca.Report{Kind: "panic"},
		SliceFunctions: []Location{
			{File: "/src/bugmod/cart/cart.go", Function: "example.com/bugmod/cart.Total"},
			{File: "cart/cart.go", Function: "example.com/bugmod/cart.Lookup"},
		},
		Candidate: repair.Candidate{
			Patch:    patch,
			Test:     gitDiff(t, "cart/coupon_test.go", "", cartRegressionTest),
			TestName: "TestTotalUnknownCoupon",
			Template: name,
		},
		Reproduce: goTestRepro("./cart", "TestZZRepro", "nil pointer dereference", false,
			map[string]string{"cart/zz_repro_test.go": cartReproTest}),
		Limits:  Limits{Step: 2 * time.Minute, StressRuns: 2},
		WorkDir: t.TempDir(),
	}
}

func counterInput(t *testing.T, name, patch string) *Input {
	return &Input{
		Repo: bugmod,
		Report: &rca.Report{Kind: "race", Candidates: []rca.Candidate{
			{File: "counter/counter.go", Function: "example.com/bugmod/counter.(*Counter).Inc"},
			{File: "counter/counter.go", Function: "example.com/bugmod/counter.(*Counter).Snapshot"},
		}},
		Candidate: repair.Candidate{
			Patch:    patch,
			Test:     gitDiff(t, "counter/inc_test.go", "", counterRegressionTest),
			TestName: "TestIncParallel",
			Template: name,
		},
		Reproduce: goTestRepro("./counter", "TestIncConcurrent", "WARNING: DATA RACE", true, nil),
		Limits:    Limits{Step: 2 * time.Minute, StressRuns: 2},
		WorkDir:   t.TempDir(),
	}
}

// expect runs Verify and checks the verdict and the first failing check.
func expect(t *testing.T, in *Input, verdict, failing string) *Result {
	t.Helper()
	res, err := Verify(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, c := range res.Checks {
		t.Logf("%-15s %-5s %5.1fs %s", c.Name, c.Status, c.Seconds, strings.ReplaceAll(c.Detail, "\n", "\n\t\t\t"))
		if got == "" && (c.Status == StatusFail || c.Status == StatusError) {
			got = c.Name
		}
	}
	if res.Verdict != verdict || got != failing {
		t.Fatalf("verdict %s failing %q, want %s failing %q (reason %s)", res.Verdict, got, verdict, failing, res.Reason)
	}
	return res
}

func TestCartCandidates(t *testing.T) {
	before := snapshot(t, bugmod)
	good := edit(t, bugmod, "cart/cart.go", cartReturn, cartGuard)
	cases := []struct {
		name, patch, verdict, failing string
	}{
		{"nil-guard", good, Verified, ""},
		{"stale-context", strings.Replace(good, " \tc := Lookup(code)", " \tc := find(code)", 1), Rejected, CheckApply},
		{"no-build", edit(t, bugmod, "cart/cart.go", cartReturn,
			"c := Lookup(code)\n\tif c == nil {\n\t\treturn Round(amount), nil\n\t}\n\treturn"), Rejected, CheckBuild},
		{"no-fix", edit(t, bugmod, "cart/cart.go", "return Round(amount * (1 - c.Percent/100))",
			"p := c.Percent\n\treturn Round(amount * (1 - p/100))"), Rejected, CheckReproAfter},
		{"api-break", edit(t, bugmod, "cart/cart.go",
			"func Lookup(code string) *Coupon {\n\treturn coupons[code]",
			"func Lookup(code string, fallback ...*Coupon) *Coupon {\n\tif c, ok := coupons[code]; ok || len(fallback) == 0 {\n\t\treturn c\n\t}\n\treturn fallback[0]",
			"c := Lookup(code)", "c := Lookup(code, &Coupon{})"), Rejected, CheckAPI},
		{"outside-slice", edit(t, bugmod, "cart/cart.go", cartReturn, cartGuard,
			"return math.Round(x*100) / 100", "return math.Round(x*100) / 100.0"), Rejected, CheckLocality},
		{"breaks-suite", edit(t, bugmod, "cart/cart.go", cartReturn,
			"c := Lookup(code)\n\tif c == nil || c.Percent > 0 {\n\t\treturn Round(amount)\n\t}\n\treturn"), Rejected, CheckSuite},
	}
	var results []*Result
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := expect(t, cartInput(t, c.name, c.patch), c.verdict, c.failing)
			results = append(results, res)
			if c.verdict == Verified {
				// The PR shows the replay before and after in full.
				for _, ch := range res.Checks {
					want := map[string]string{CheckReproBefore: "nil pointer dereference", CheckReproAfter: "ok"}[ch.Name]
					if want != "" && !strings.Contains(ch.Transcript, want) {
						t.Errorf("%s transcript does not show %q:\n%s", ch.Name, want, ch.Transcript)
					}
				}
			}
		})
	}
	if ranked := Rank(results); len(results) == len(cases) && ranked[0].Candidate.Template != "nil-guard" {
		t.Errorf("ranked first: %s", ranked[0].Candidate.Template)
	}
	if after := snapshot(t, bugmod); after != before {
		t.Fatal("the repository under test was modified")
	}
}

func TestCounterCandidates(t *testing.T) {
	lock := edit(t, bugmod, "counter/counter.go", "func (c *Counter) Inc() {\n\tc.n++",
		"func (c *Counter) Inc() {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.n++")
	t.Run("lock", func(t *testing.T) {
		res := expect(t, counterInput(t, "lock", lock), Verified, "")
		if !hasCheck(res, CheckRaceStress, StatusPass) {
			t.Fatal("race-stress did not run")
		}
	})
	stillRacy := edit(t, bugmod, "counter/counter.go", "func (c *Counter) Inc() {\n\tc.n++",
		"func (c *Counter) Inc() {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tc.n++",
		"\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\treturn c.n", "\treturn c.n")
	t.Run("still-racy", func(t *testing.T) {
		expect(t, counterInput(t, "still-racy", stillRacy), Rejected, CheckRaceStress)
	})
}

func hasCheck(r *Result, name, status string) bool {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status == status
		}
	}
	return false
}

// snapshot fingerprints a tree's file names, sizes and times.
func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		b.WriteString(p + " " + fi.ModTime().String() + " " + fi.Mode().String() + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
