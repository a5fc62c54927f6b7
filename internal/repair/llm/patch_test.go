package llm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The file the diffs below change: line 3 ends in white space, line 5 is
// blank, and "x++" occurs twice.
const sample = "package p\n\nfunc F(x int) int { \n\tx++\n\n\tx++\n\treturn x\n}\n"

func sampleRepo(t *testing.T) *repo {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "p/p.go", sample)
	r, err := openRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheckDiffRepairs(t *testing.T) {
	tests := []struct {
		name, diff, note string
		start            string // the canonical hunk header
	}{
		{"well formed", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,2 +6,2 @@\n \tx++\n-\treturn x\n+\treturn x + 1\n", "", "@@ -6,2 +6,2 @@"},
		{"no prefixes", "--- p/p.go\n+++ p/p.go\n@@ -6,2 +6,2 @@\n \tx++\n-\treturn x\n+\treturn x + 1\n", "a/ b/ path prefixes", "@@ -6,2 +6,2 @@"},
		{"wrong counts", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,7 +6,1 @@\n \tx++\n-\treturn x\n+\treturn x + 1\n", "recomputed the counts", "@@ -6,2 +6,2 @@"},
		{"lost trailing space", "--- a/p/p.go\n+++ b/p/p.go\n@@ -3,2 +3,2 @@\n func F(x int) int {\n-\tx++\n+\tx += 2\n", "trailing white space", "@@ -3,2 +3,2 @@"},
		{"blank context lost its space", "--- a/p/p.go\n+++ b/p/p.go\n@@ -4,3 +4,3 @@\n \tx++\n\n-\tx++\n+\tx--\n", "", "@@ -4,3 +4,3 @@"},
		{"wrong line, unique", "--- a/p/p.go\n+++ b/p/p.go\n@@ -1,2 +1,2 @@\n \tx++\n-\treturn x\n+\treturn x + 1\n", "moved hunk 1 from line 1 to line 6", "@@ -6,2 +6,2 @@"},
		{"separator after the hunk", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,2 +6,2 @@\n \tx++\n-\treturn x\n+\treturn x + 1\n\n\n", "", "@@ -6,2 +6,2 @@"},
		{"git header and new file", "diff --git a/p/q.go b/p/q.go\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/p/q.go\n@@ -0,0 +1 @@\n+package p\n", "", "@@ -0,0 +1,1 @@"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleRepo(t)
			c, err := checkDiff(tt.diff, r)
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(c.notes, "; ")
			if tt.note == "" && notes != "" || !strings.Contains(notes, tt.note) {
				t.Errorf("notes = %q, want %q", notes, tt.note)
			}
			out := render(c.files)
			if !strings.Contains(out, tt.start+"\n") {
				t.Errorf("rendered:\n%s\nwant %s", out, tt.start)
			}
			if _, err := c.applied(r); err != nil {
				t.Errorf("canonical diff does not apply: %v", err)
			}
		})
	}
}

func TestCheckDiffRejects(t *testing.T) {
	tests := []struct{ name, diff, want string }{
		{"context mismatch", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,2 +6,2 @@\n \ty++\n-\treturn x\n+\treturn x + 1\n", `expects "\ty++" but the file has "\tx++"`},
		{"ambiguous move", "--- a/p/p.go\n+++ b/p/p.go\n@@ -1,1 +1,1 @@\n-\tx++\n+\tx--\n", "in 2 places"},
		{"dot-dot escape", "--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-root\n+toor\n", ".. escapes are refused"},
		{"absolute path", "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+toor\n", "absolute paths are refused"},
		{"git dir", "--- a/.git/config\n+++ b/.git/config\n@@ -1 +1 @@\n-a\n+b\n", ".git directory"},
		{"rename", "--- a/p/p.go\n+++ b/p/r.go\n@@ -7 +7 @@\n-\treturn x\n+\treturn 0\n", "renames are not accepted"},
		{"missing file", "--- a/p/none.go\n+++ b/p/none.go\n@@ -1 +1 @@\n-a\n+b\n", "p/none.go"},
		{"create existing", "--- /dev/null\n+++ b/p/p.go\n@@ -0,0 +1 @@\n+package p\n", "already exists"},
		{"junk in a hunk", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,2 +6,2 @@\n \tx++\n*\treturn x\n", "does not start with"},
		{"no changes", "--- a/p/p.go\n+++ b/p/p.go\n@@ -6,1 +6,1 @@\n \tx++\n", "no + or - lines"},
		{"no header", "@@ -6,1 +6,1 @@\n-\tx++\n+\tx--\n", "without a --- / +++ file header"},
		{"prose", "Here is the fix:\n--- a/p/p.go\n+++ b/p/p.go\n@@ -6,2 +6,2 @@\n \tx++\n-\treturn x\n+\treturn x + 1\nHope it helps\n", "does not start with"},
		{"same file twice", "--- a/p/p.go\n+++ b/p/p.go\n@@ -7 +7 @@\n-\treturn x\n+\treturn 0\n--- a/p/p.go\n+++ b/p/p.go\n@@ -4 +4 @@\n-\tx++\n+\tx--\n", "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := checkDiff(tt.diff, sampleRepo(t))
			if !errors.Is(err, ErrBadPatch) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheckDiffRefusesSymlinkOut(t *testing.T) {
	r := sampleRepo(t)
	out := t.TempDir()
	write(t, out, "x.go", "package x\n")
	if err := os.Symlink(out, filepath.Join(r.root, "p", "ext")); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{
		"--- a/p/ext/x.go\n+++ b/p/ext/x.go\n@@ -1 +1 @@\n-package x\n+package y\n",
		"--- /dev/null\n+++ b/p/ext/new.go\n@@ -0,0 +1 @@\n+package x\n",
	} {
		if _, err := checkDiff(d, r); !errors.Is(err, ErrBadPatch) || !strings.Contains(err.Error(), "symlink") {
			t.Errorf("err = %v", err)
		}
	}
}

func TestProposalSplitsFixAndTest(t *testing.T) {
	r := sampleRepo(t)
	one := "--- a/p/p.go\n+++ b/p/p.go\n@@ -7 +7 @@\n-\treturn x\n+\treturn x + 1\n" +
		"--- /dev/null\n+++ b/p/p_test.go\n@@ -0,0 +1,3 @@\n+package p\n+\n+func TestF(t *testing.T) {}\n"
	c, err := proposal{diffs: diffBlocks("```diff\n" + one + "```\nWhy: off by one.\n"), why: "off by one"}.candidate(r, "m")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.Patch, "p_test.go") || !strings.Contains(c.Test, "p_test.go") || c.TestName != "TestF" {
		t.Errorf("candidate = %+v", c)
	}
	_, err = proposal{diffs: []string{"--- /dev/null\n+++ b/p/p_test.go\n@@ -0,0 +1 @@\n+package p\n"}}.candidate(r, "m")
	if !errors.Is(err, ErrBadPatch) || !strings.Contains(err.Error(), "the fix itself is missing") {
		t.Errorf("test-only: %v", err)
	}
}

func TestDiffBlocks(t *testing.T) {
	d := "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n"
	for _, tt := range []struct {
		text string
		n    int
	}{
		{"```diff\n" + d + "```\n```patch\n" + d + "```\n", 2},
		{"````diff\n" + d + "+```\n````\n", 1},
		{"```\n" + d + "```\n```go\nfunc F() {}\n```\n", 1},
		{d, 1},
		{"no diff here", 0},
	} {
		if got := diffBlocks(tt.text); len(got) != tt.n {
			t.Errorf("diffBlocks(%q) = %d blocks, want %d", tt.text, len(got), tt.n)
		}
	}
}
