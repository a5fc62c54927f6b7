package template

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/repair"
)

// TestPySortFamily runs the leaderboard fixture's reproduction in
// CPython, where a concurrent append fails the in-place sort, analyses
// the traceback, and proves the sorted() patch makes it pass.
func TestPySortFamily(t *testing.T) {
	py := python(t)
	dir := fixtureCopy(t, "pysort")
	ok, out := runPy(t, dir, py)
	must(t, !ok, "the reproduction passes on the buggy fixture:\n%s", out)
	rep, g := report(t, "exception", []string{dir}, evidenceFile(t, "pysort.txt", out))
	req := &repair.Request{Report: rep, Graph: g, Repo: dir}
	c := propose(t, req, "copy-before-sort")
	recordCase(t, "fixture pysort Board.top (ValueError)", req, c)
	for rel, content := range applied(t, dir, c.Patch) {
		writeFile(t, dir, rel, content)
	}
	ok, out = runPy(t, dir, py)
	must(t, ok, "the reproduction fails with the patch:\n%s\n%s", c.Patch, out)
}

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	return py
}

// runPy runs the leaderboard's reproduction in dir, bounded: a sort
// that never ends must fail the test, not stall the suite.
func runPy(t *testing.T, dir, py string) (bool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-m", "unittest", "test_repro")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}
