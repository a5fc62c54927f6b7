package template

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestSyntaxReadersAgree: built with -tags treesitter, the tree-sitter
// reader and the scanner give the same answer to every question on
// every input of the tables, the tricky files, and the example and
// fixture sources: every line's def and statement, every assignment and
// sort, and the occurrences of every name and two-name chain.
func TestSyntaxReadersAgree(t *testing.T) {
	if syntaxName == "scanner" {
		t.Skip("one reader in this build; -tags treesitter (cgo) compares the two")
	}
	py, java := agreeInputs(t)
	for _, name := range sortedKeys(py) {
		agreePy(t, name, py[name], scanSyntax{}, syntax)
	}
	for _, name := range sortedKeys(java) {
		agreeJava(t, name, java[name], scanSyntax{}, syntax)
	}
	t.Logf("%d Python and %d Java sources", len(py), len(java))
}

// agreeInputs gathers the sources, by a name for messages.
func agreeInputs(t *testing.T) (py, java map[string]string) {
	py = map[string]string{"pyTricky": pyTricky, "pyMore": pyMore, "pyMatchStmt": pyMatchStmt}
	java = map[string]string{"javaTricky": javaTricky, "javaMore": javaMore}
	for _, c := range pyRefCases {
		py["refs: "+c.name] = c.src
	}
	for _, c := range pyAssignCases {
		py["assigns: "+c.name] = c.src
	}
	for _, c := range pySortCases {
		py["sorts: "+c.name] = c.src
	}
	for _, c := range pyDefCases {
		py["defs: "+c.name] = c.src
	}
	for _, c := range javaSyncCases {
		java["syncs: "+c.name] = c.src
	}
	for _, c := range javaUnitCases {
		java["unit: "+c.name] = c.src
	}
	for _, c := range javaMethodCases {
		java["methods: "+c.name] = c.src
	}
	for _, dir := range []string{filepath.Join(repoRoot(), "examples"), "testdata"} {
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			switch filepath.Ext(p) {
			case ".py":
				py[p] = string(b)
			case ".java":
				java[p] = string(b)
			}
			return err
		})
		must(t, err == nil, "%v", err)
	}
	return py, java
}

func agreePy(t *testing.T, name, src string, a, b syntaxReader) {
	t.Helper()
	agree(t, name, "pyAssigns", a.pyAssigns(src), b.pyAssigns(src))
	agree(t, name, "pySorts", a.pySorts(src), b.pySorts(src))
	for line := 1; line <= strings.Count(src, "\n")+1; line++ {
		fa, oka := a.pyDefAt(src, line)
		fb, okb := b.pyDefAt(src, line)
		agree(t, name, fmt.Sprintf("pyDefAt %d", line), []any{fa, oka}, []any{fb, okb})
		x1, y1, ok1 := a.pyStatementAt(src, line)
		x2, y2, ok2 := b.pyStatementAt(src, line)
		agree(t, name, fmt.Sprintf("pyStatementAt %d", line), []any{x1, y1, ok1}, []any{x2, y2, ok2})
	}
	for _, chain := range pyChains(src) {
		agree(t, name, "pyRefs "+chain, a.pyRefs(src, chain, 0, len(src)), b.pyRefs(src, chain, 0, len(src)))
	}
}

// pyChains are the names in src and the two-name chains (`self.x`), as
// the scanner's tokens have them, f-string fields included.
func pyChains(src string) []string {
	p := scanPython(src)
	set := map[string]bool{}
	var walk func(toks []ptok)
	walk = func(toks []ptok) {
		for i, tk := range toks {
			for _, f := range tk.fields {
				walk(f)
			}
			if !p.isName(tk) {
				continue
			}
			set[p.text(tk)] = true
			if i+2 < len(toks) && p.text(toks[i+1]) == "." && p.isName(toks[i+2]) {
				set[p.text(tk)+"."+p.text(toks[i+2])] = true
			}
		}
	}
	for _, pc := range p.pieces {
		walk(pc.toks)
	}
	return sortedKeys(set)
}

func agreeJava(t *testing.T, name, src string, a, b syntaxReader) {
	t.Helper()
	agree(t, name, "javaMethods", a.javaMethods(src), b.javaMethods(src))
	agree(t, name, "javaSyncs", a.javaSyncs(src), b.javaSyncs(src))
	agree(t, name, "javaUnit", a.javaUnit(src), b.javaUnit(src))
}

// agree fails when the scanner's answer differs from tree-sitter's.
func agree(t *testing.T, name, what string, scan, tree any) {
	t.Helper()
	if !reflect.DeepEqual(scan, tree) {
		t.Errorf("%s: %s:\n scanner     %+v\n tree-sitter %+v", name, what, scan, tree)
	}
}
