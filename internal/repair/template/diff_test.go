package template

import (
	"strings"
	"testing"
)

// TestDiffApplies: the diff of every edit shape applies strictly with
// go-gitdiff and gives the new text back.
func TestDiffApplies(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct{ old, new string }{
		{"a\nb\nc\n", "a\nx\nc\n"},
		{"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n", "a\nB\nc\nd\ne\nf\ng\nh\ni\nJ\nk\nl\n"},
		{"a\nb\n", "x\na\nb\n"},
		{"a\nb\nc", "a\nb\nd"},
	} {
		d := unifiedDiff("f.txt", c.old, c.new)
		writeFile(t, root, "f.txt", c.old)
		if got := applied(t, root, d)["f.txt"]; got != c.new {
			t.Errorf("applying\n%s\ngave %q, want %q", d, got, c.new)
		}
	}
	d := unifiedDiff("n.txt", "", "x\ny\n")
	if !strings.Contains(d, "new file mode") || applied(t, root, d)["n.txt"] != "x\ny\n" {
		t.Errorf("new file diff:\n%s", d)
	}
}

// TestResolveByLongestSuffix: machine paths and module paths map onto
// the repository; an ambiguous base name maps to nothing.
func TestResolveByLongestSuffix(t *testing.T) {
	r, err := openRepo(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"/home/x/src/github.com/tagdebug/tag/examples/shop/pay.go": "examples/shop/pay.go",
		"github.com/tagdebug/tag/examples/shop/topusers.go":        "examples/shop/topusers.go",
		"Ledger.java": "examples/ledger/Ledger.java",
		"doc.go":      "",
	} {
		if got := r.resolve(in); got != want {
			t.Errorf("resolve(%q) = %q, want %q", in, got, want)
		}
	}
}
