package template

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSyntaxSpans: the syntax reader in use — the scanner by default,
// tree-sitter with -tags treesitter — gives the same spans on the
// pyworker and ledger examples' sources.
func TestSyntaxSpans(t *testing.T) {
	t.Logf("syntax reader: %s", syntaxName)
	read := func(p ...string) string {
		b, err := os.ReadFile(filepath.Join(append([]string{repoRoot(), "examples"}, p...)...))
		must(t, err == nil, "%v", err)
		return string(b)
	}
	py := read("pyworker", "worker.py")
	for _, c := range []struct {
		line, def, end, indent int
		name                   string
		params                 []string
	}{
		{33, 33, 34, 4, "__init__", []string{"self", "users"}},
		{37, 36, 37, 4, "get", []string{"self", "key"}},
		{40, 40, 47, 0, "top_k_users", []string{"cache", "k"}},
		{46, 40, 47, 0, "top_k_users", []string{"cache", "k"}},
		{47, 40, 47, 0, "top_k_users", []string{"cache", "k"}},
		{50, 50, 54, 0, "log_json", []string{"level", "msg", "trace_id", "span_id", "**fields"}},
		{94, 94, 101, 4, "span", []string{"self", "trace_id", "span_id", "name", "start_ns", "end_ns", "attrs", "error"}},
		{128, 128, 146, 0, "run_job", []string{"cache", "k", "trace_id", "span_id", "exporter"}},
		{163, 157, 171, 0, "main", []string{"argv"}},
	} {
		f, ok := syntax.pyDefAt(py, c.line)
		must(t, ok, "worker.py:%d: no def", c.line)
		must(t, f.name == c.name && f.def == c.def && f.end == c.end && f.indent == c.indent && slices.Equal(f.params, c.params),
			"worker.py:%d: %s %d-%d indent %d %q, want %s %d-%d indent %d %q", c.line, f.name, f.def, f.end, f.indent, f.params, c.name, c.def, c.end, c.indent, c.params)
	}
	_, ok := syntax.pyDefAt(py, 20)
	must(t, !ok, "worker.py:20 (an import) is in no def")
	for _, line := range []int{46, 47, 163} {
		a, z, ok := syntax.pyStatementAt(py, line)
		must(t, ok && a == line && z == line, "worker.py:%d: statement %d-%d %v, want one line", line, a, z, ok)
	}
	cont := "def f(c):\n    x = c.get(\n        1)\n    return x\n"
	a, z, ok := syntax.pyStatementAt(cont, 2)
	must(t, ok && a == 2 && z == 3, "continued statement: %d-%d %v, want 2-3", a, z, ok)

	java := read("ledger", "Ledger.java")
	type span struct {
		name             string
		start, open, end int
		params           string
	}
	var got []span
	for _, m := range syntax.javaMethods(java) {
		got = append(got, span{m.name, lineOf(java, m.start), lineOf(java, m.open), lineOf(java, m.end), m.params})
	}
	want := []span{{"f", 22, 22, 30, "long amount"}, {"g", 33, 33, 41, ""}, {"pause", 43, 43, 49, ""},
		{"main", 51, 51, 77, "String[] args"}, {"await", 79, 79, 85, "CountDownLatch l"}}
	must(t, slices.Equal(got, want), "Ledger.java methods:\n got %v\nwant %v", got, want)
	for _, m := range syntax.javaMethods(java) {
		must(t, java[m.open] == '{' && java[m.end] == '}', "%s: open %q end %q", m.name, java[m.open], java[m.end])
	}
}
