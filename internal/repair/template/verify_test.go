package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/tagdebug/tag/internal/repair"
)

// applied applies a diff strictly to the repository's files and returns
// the new contents by relative path.
func applied(t *testing.T, root, diff string) map[string]string {
	t.Helper()
	files, _, err := gitdiff.Parse(strings.NewReader(diff))
	if err != nil {
		t.Fatalf("parse diff: %v\n%s", err, diff)
	}
	out := map[string]string{}
	for _, f := range files {
		var old []byte
		if !f.IsNew {
			old, err = os.ReadFile(filepath.Join(root, f.OldName))
			if err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := gitdiff.Apply(&buf, bytes.NewReader(old), f); err != nil {
			t.Fatalf("apply %s: %v\n%s", f.NewName, err, diff)
		}
		out[f.NewName] = buf.String()
	}
	return out
}

// overlayGoTest runs `go test` on a package of the repository with files
// replaced through -overlay (the repository itself is never written) and
// reports whether the run passed.
func overlayGoTest(t *testing.T, root, pkg string, files map[string]string, args ...string) (bool, string) {
	t.Helper()
	dir := t.TempDir()
	ov := map[string]map[string]string{"Replace": {}}
	i := 0
	for rel, content := range files {
		p := filepath.Join(dir, fmt.Sprintf("f%d.go", i))
		i++
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		ov["Replace"][filepath.Join(root, rel)] = p
	}
	b, _ := json.Marshal(ov)
	ovp := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	argv := append([]string{"test", "-count=1", "-overlay", ovp}, args...)
	cmd := exec.Command("go", append(argv, "./"+pkg)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	return err == nil, string(out)
}

// redGreen proves a Go candidate: its regression test fails on the
// original code and passes with the patch.
func redGreen(t *testing.T, root, pkg string, c repair.Candidate, args ...string) {
	t.Helper()
	must(t, c.Test != "" && c.TestName != "", "candidate %s has no regression test", c.Template)
	test := applied(t, root, c.Test)
	fixed := applied(t, root, c.Patch)
	for k, v := range test {
		fixed[k] = v
	}
	run := append([]string{"-run", "^" + c.TestName + "$"}, args...)
	var before, after bool
	var outB, outA string
	var wg sync.WaitGroup
	wg.Go(func() { before, outB = overlayGoTest(t, root, pkg, test, run...) })
	wg.Go(func() { after, outA = overlayGoTest(t, root, pkg, fixed, run...) })
	wg.Wait()
	if before {
		t.Errorf("%s: the regression test passes before the patch (not red):\n%s\n%s", c.Template, c.Test, outB)
	}
	if !after {
		t.Errorf("%s: the regression test fails with the patch (not green):\n%s\n%s\n%s", c.Template, c.Patch, c.Test, outA)
	}
	if !strings.Contains(outB, strings.Trim(c.TestName, "^$")) {
		t.Errorf("%s: the red run did not run %s:\n%s", c.Template, c.TestName, outB)
	}
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
