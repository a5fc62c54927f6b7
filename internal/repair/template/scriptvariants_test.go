package template

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
)

// scriptVariant is a Python or Java shape the fixtures do not exercise,
// where a reading of the text would patch the wrong place: one source
// file, the report's kind and title, its candidate lines (marked
// `# site` or `// site`, then the frame's function if it names one),
// and what the patched file must and must not
// hold — or, with template "", that no candidate of absent is offered.
type scriptVariant struct {
	name, file, kind, title, template, absent, src string
	want, not                                      []string
}

var scriptVariants = []scriptVariant{{
	name: "default-empty on a multi-line lookup, the failing line reading a mapping", file: "v.py",
	kind: "exception", title: "TypeError: 'NoneType' object has no attribute 'items'", template: "default-empty",
	src: `def top(cache):
    users = cache.get(
        "users",  # loaded at start-up
    )
    # users.items() in a comment does not count
    return sorted(users.items())  # site
`,
	want: []string{"    ) or {}\n", "users.items() in a comment"},
}, {
	name: "default-empty skips a nested def's lookup and a lookup in a string", file: "v.py",
	kind: "exception", title: "TypeError: 'NoneType' object is not subscriptable", template: "default-empty",
	src: `def top(cache, k):
    users = cache.get("users")  # the one
    def load():
        users = cache.get("old")
        return users
    label = "users = cache.get('x')"
    return sorted(users)[:k]  # site
`,
	want: []string{`    users = cache.get("users") or []  # the one`, `        users = cache.get("old")` + "\n", `label = "users = cache.get('x')"`},
}, {
	name: "copy-before-sort over a multi-line call, uses in an f-string, a longer attribute untouched", file: "v.py",
	kind: "exception", title: "ValueError: list modified during sort", template: "copy-before-sort",
	src: `class Board:
    def top(self, n):
        self.entries.sort(
            key=lambda e: -e[1])  # site
        best = self.entries[:n]
        note = f"{len(self.entries)} entries"
        return best, note, self.entries_count
`,
	want: []string{"        entries = sorted(self.entries, key=lambda e: -e[1])  # site\n", "best = entries[:n]",
		`note = f"{len(entries)} entries"`, "self.entries_count"},
}, {
	name: "no copy-before-sort when the def appends to the list after sorting it", file: "v.py",
	kind: "exception", title: "ValueError: list modified during sort", absent: "copy-before-sort",
	src: `class Board:
    def top(self, n):
        self.entries.sort()  # site
        self.entries.append(None)
        return self.entries[:n]
`,
}, {
	name: "lock-order: a monitor taken in a lambda is not nested; comments in a lock do not matter", file: "Pair.java",
	kind: "deadlock", title: "Found one Java-level deadlock", template: "lock-order",
	src: `public class Pair {
    private final Object a = new Object();
    private final Object b = new Object();

    void f() {
        synchronized (a) {
            synchronized (b /* inner */) { } // site Pair.f
        }
    }

    void g() {
        synchronized (b) {
            Runnable r = () -> { synchronized (a) { } }; // site Pair.g
            r.run();
        }
    }

    void h() {
        synchronized (b) {
            synchronized (a) { } // site Pair.h
        }
    }
}
`,
	want: []string{"    void g() {\n        synchronized (b) {\n            Runnable r",
		"    void h() {\n        synchronized (a) {\n            synchronized (b) {\n                synchronized (a) { } // site Pair.h\n"},
}}

// TestScriptVariants proposes for each variant, applies the patch, and
// compiles the result where the toolchain is installed.
func TestScriptVariants(t *testing.T) {
	for _, v := range scriptVariants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, v.file, v.src)
			var cands []rca.Candidate
			for i, l := range strings.Split(v.src, "\n") {
				if _, fn, ok := strings.Cut(l, "# site"); ok || strings.Contains(l, "// site") {
					if !ok {
						_, fn, _ = strings.Cut(l, "// site")
					}
					cands = append(cands, rca.Candidate{File: v.file, Line: i + 1, Function: strings.TrimSpace(fn), Node: "frame:site"})
				}
			}
			req := &repair.Request{Report: &rca.Report{Kind: v.kind, Title: v.title, Candidates: cands}, Repo: dir}
			if v.absent != "" {
				cs, err := Proposer{}.Propose(context.Background(), req)
				must(t, err == nil, "%v", err)
				for _, c := range cs {
					must(t, c.Template != v.absent, "a %s candidate:\n%s", v.absent, c.Patch)
				}
				return
			}
			c := propose(t, req, v.template)
			got := applied(t, dir, c.Patch)[v.file]
			for _, w := range v.want {
				must(t, strings.Contains(got, w), "the patched file lacks %q:\n%s", w, got)
			}
			writeFile(t, dir, v.file, got)
			compileScript(t, dir, v.file)
		})
	}
}

// compileScript byte-compiles a Python file or compiles a Java one,
// skipping when the tool is missing.
func compileScript(t *testing.T, dir, file string) {
	t.Helper()
	tool, args := "python3", []string{"-m", "py_compile", file}
	if filepath.Ext(file) == ".java" {
		tool, args = "javac", []string{"-d", t.TempDir(), file}
	}
	if _, err := exec.LookPath(tool); err != nil {
		t.Logf("%s not installed: the patch is not compiled", tool)
		return
	}
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the patched %s does not compile: %v\n%s\n%s", file, err, out, readFile(t, filepath.Join(dir, file)))
	}
}
