package template

import (
	"strings"
	"testing"
)

// FuzzPyScanner: on any input the scanner answers without panicking, and
// every range it returns lies in the source in order, so an edit at it
// cannot slice out of bounds.
func FuzzPyScanner(f *testing.F) {
	for _, s := range []string{pyTricky, pyMore, pyMatchStmt, "f'{", "'''", "x = (", "def f(:\n", "\\"} {
		f.Add(s)
	}
	for _, c := range pyRefCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sc := scanSyntax{}
		n := len(src)
		inRange := func(what string, a, b int) {
			if a < 0 || a > b || b > n {
				t.Fatalf("%s range %d-%d outside %d bytes", what, a, b, n)
			}
		}
		for _, a := range sc.pyAssigns(src) {
			inRange("assign", a.start, a.end)
			inRange("assign value", a.valueStart, a.end)
		}
		for _, s := range sc.pySorts(src) {
			inRange("sort", s.start, s.end)
		}
		for _, chain := range []string{"x", "self.x", "a.b.c"} {
			for _, r := range sc.pyRefs(src, chain, 0, n) {
				inRange("ref", r.start, r.end)
			}
		}
		lines := strings.Count(src, "\n") + 2
		for line := 0; line <= lines; line += max(1, lines/20) { // each question scans the whole input
			if d, ok := sc.pyDefAt(src, line); ok && (d.def > line || d.end < line) {
				t.Fatalf("def %d-%d does not cover line %d", d.def, d.end, line)
			}
			if a, b, ok := sc.pyStatementAt(src, line); ok && (a > line || b < line) {
				t.Fatalf("statement %d-%d does not cover line %d", a, b, line)
			}
		}
	})
}

// FuzzJavaScanner: the same for Java, and braces where it says so.
func FuzzJavaScanner(f *testing.F) {
	for _, s := range []string{javaTricky, javaMore, `"""`, "class A { void f() { synchronized (", "new X() {", "package"} {
		f.Add(s)
	}
	for _, c := range javaSyncCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sc := scanSyntax{}
		brace := func(what string, off int, b byte) {
			if off < 0 || off >= len(src) || src[off] != b {
				t.Fatalf("%s at %d is not %q", what, off, b)
			}
		}
		for _, m := range sc.javaMethods(src) {
			brace("method body", m.open, '{')
			if m.start > m.open || m.end < m.open {
				t.Fatalf("method %s: %d %d %d", m.name, m.start, m.open, m.end)
			}
		}
		for _, s := range sc.javaSyncs(src) {
			brace("synchronized body", s.open, '{')
			if s.start > s.open || s.end < s.open || s.end >= len(src) {
				t.Fatalf("synchronized %q: %d %d %d", s.lock, s.start, s.open, s.end)
			}
		}
		for _, ty := range sc.javaUnit(src).types {
			brace("type body", ty.open, '{')
		}
	})
}
