package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/repro"
)

func TestRecordPyworker(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "py.json")
	pyworker := filepath.Join(evidencetest.RepoRoot(), "examples", "pyworker")
	code, stdout, stderr := tag(t, "--store", dir, "record", "--json", "-o", out, "--dir", pyworker, "--timeout", "30s", "--", "python3", "worker.py", "--cold")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	var info recordInfo
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if info.Signature != "TypeError" || !info.Failed || info.Exit != 0 || len(info.Files) != 1 || info.Capsule != out {
		t.Fatalf("record --json: %s", stdout)
	}
	c, err := repro.LoadProcessCapsule(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Command != "python3" || strings.Join(c.Args, " ") != "worker.py --cold" {
		t.Errorf("capsule: %+v", c)
	}

	// Human output, and a run that does not fail: exit 1.
	code, stdout, stderr = tag(t, "--store", dir, "record", "-o", filepath.Join(dir, "ok.json"), "--dir", pyworker, "--", "python3", "worker.py")
	if code != 1 || !strings.Contains(stdout, "NOT seen") || !strings.Contains(stderr, "did not fail") {
		t.Errorf("clean run: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestRecordUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"record"},
		{"record", "--files", "nothing-matches-*.zz", "--dir", dir, "--", "true"},
		{"record", "--dir", dir, "--", "tag-no-such-command-xyz"},
	} {
		code, _, stderr := tag(t, append([]string{"--store", dir}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr)
		}
	}
}
