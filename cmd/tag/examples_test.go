package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/demo"
)

// TestExamplesReproAndFix does what `tag demo` does for the Python worker
// and the Java ledger — a scratch store behind an embedded OTLP receiver,
// a scratch git repository with the examples, the examples' runners — and
// then drives `tag repro` and `tag fix` on each incident with the
// runner's capsules and bug-proving tests: both must reproduce, and both
// must end in a verified patch with a bundle and a branch.
func TestExamplesReproAndFix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Python worker, a JVM and two fix loops")
	}
	for _, tool := range []string{"git", "python3", "javac", "java", "jstack"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	store := filepath.Join(dir, "store")
	env := &demo.Env{
		Repo: filepath.Join(dir, "repo"),
		Work: filepath.Join(dir, "work"),
		Log:  testLog{t},
	}
	if err := writeDemoRepo(context.Background(), env.Repo); err != nil {
		t.Fatal(err)
	}
	targets := runExamples(t, store, env, "pyworker", "ledger")
	ids := incidentsFor(t, store, targets)
	for i, tg := range targets {
		t.Run(tg.Example, func(t *testing.T) {
			checkRepro(t, store, env.Repo, ids[i], tg)
			checkFix(t, store, env.Repo, ids[i], tg)
		})
	}
}

// runExamples runs the named examples as `tag demo` does — its own
// embedded receiver on the store, through the app's pipeline — and closes
// the store before it returns, so the CLI runs that follow open it as a
// user's would.
func runExamples(t *testing.T, store string, env *demo.Env, only ...string) []demo.Target {
	t.Helper()
	a := newApp(io.Discard, io.Discard)
	a.storeFlag = store
	defer a.close()
	targets, notes, err := a.demoRun(context.Background(), env, only)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		t.Fatalf("%s: %s %v", n.Example, n.Verdict, n.Reasons)
	}
	return targets
}

// incidentsFor finds each target's incident in `tag incidents --json`,
// waiting briefly in case a receiver is still storing.
func incidentsFor(t *testing.T, store string, targets []demo.Target) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, out, errOut := tag(t, "--store", store, "incidents", "--json")
		if code != 0 {
			t.Fatalf("incidents: exit %d: %s", code, errOut)
		}
		var rows []struct{ ID, Kind, Service, Endpoint, Title string }
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(targets))
		missing := 0
		for i, tg := range targets {
			for _, r := range rows {
				if tg.Matches(r.Kind, r.Service, r.Endpoint, r.Title) {
					ids[i] = r.ID
					break
				}
			}
			if ids[i] == "" {
				missing++
			}
		}
		if missing == 0 {
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d targets have no incident; incidents:\n%s", missing, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func capsuleFlags(tg demo.Target) []string {
	var args []string
	for _, c := range tg.Capsules {
		args = append(args, "--capsule", c)
	}
	return args
}

// checkRepro: `tag repro` brings the failure back with the process driver.
func checkRepro(t *testing.T, store, repo, id string, tg demo.Target) {
	t.Helper()
	args := append([]string{"--store", store, "repro", id, "--repo", repo, "--json"}, capsuleFlags(tg)...)
	code, out, errOut := tag(t, args...)
	var r struct {
		Reproduced bool
		Driver     string
		Runs       int
		Failures   int
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || !r.Reproduced || r.Driver != "process" {
		t.Fatalf("tag repro: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	t.Logf("repro: %d of %d runs", r.Failures, r.Runs)
}

// checkFix: `tag fix` ends verified, with a bundle and a branch.
func checkFix(t *testing.T, store, repo, id string, tg demo.Target) {
	t.Helper()
	args := append([]string{"--store", store, "fix", id, "--repo", repo, "--json"}, capsuleFlags(tg)...)
	for _, f := range tg.ExpectFlip {
		args = append(args, "--expect-flip", f)
	}
	code, out, errOut := tag(t, args...)
	var r fixResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("tag fix: exit %d, %v\n%s\n%s", code, err, out, errOut)
	}
	if code != 0 || r.Verdict != "verified" {
		t.Fatalf("tag fix: exit %d, verdict %s, reasons %v\n%s\n%s", code, r.Verdict, r.Reasons, checksText(r), errOut)
	}
	if _, err := os.Stat(filepath.Join(r.Bundle, "PR.md")); err != nil || r.Branch == "" {
		t.Errorf("bundle %q, branch %q: %v", r.Bundle, r.Branch, err)
	}
	if err := exec.Command("git", "-C", repo, "rev-parse", "--verify", "refs/heads/"+r.Branch).Run(); err != nil {
		t.Errorf("branch %s is not in the repository: %v", r.Branch, err)
	}
	t.Logf("tag fix: %s verified in %.1fs (%.1fs in builds and tests), template %s, branch %s\n%s",
		tg.Example, r.Seconds, r.BuildTestSeconds, r.Template, r.Branch, checksText(r))
}

func checksText(r fixResult) string {
	var b strings.Builder
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %-16s %-5s %5.1fs  %s\n", c.Name, c.Status, c.Seconds, firstLine(c.Detail))
	}
	return b.String()
}

// testLog sends the runners' step lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
