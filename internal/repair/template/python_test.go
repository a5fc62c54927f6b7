package template

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// runIn copies files (relative path → content) flat into a fresh
// directory and runs a command there; it reports whether it passed.
func runIn(t *testing.T, files map[string]string, name string, args ...string) (bool, string) {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(rel)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

// TestPyworkerDefaultEmpty: the worker's real cold-cache job log.
func TestPyworkerDefaultEmpty(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	dir := filepath.Join(repoRoot(), "examples", "pyworker")
	cmd := exec.Command(py, "worker.py", "--cold")
	cmd.Dir = dir
	log, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	rep, g := report(t, "exception", nil, evidenceFile(t, "worker.jsonl", string(log)))
	req := &repair.Request{Report: rep, Graph: g}
	c := propose(t, req, "default-empty")
	recordCase(t, "pyworker top_k_users (TypeError)", req, c)

	orig, err := os.ReadFile(filepath.Join(dir, "worker.py"))
	if err != nil {
		t.Fatal(err)
	}
	test := applied(t, repoRoot(), c.Test)
	fixed := applied(t, repoRoot(), c.Patch)
	before := map[string]string{"worker.py": string(orig)}
	for k, v := range test {
		before[k], fixed[k] = v, v
	}
	if ok, out := runIn(t, before, py, "-m", "unittest", "-v", c.TestName); ok {
		t.Errorf("the regression test passes before the patch:\n%s", out)
	}
	if ok, out := runIn(t, fixed, py, "-m", "unittest", "-v", c.TestName); !ok {
		t.Errorf("the regression test fails with the patch:\n%s", out)
	}
}
