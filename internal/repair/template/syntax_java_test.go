package template

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// javaSyncCases render each synchronized statement as its lock, then
// `<` and the lock of the statement it runs under, if any.
var javaSyncCases = []struct {
	name, src string
	want      []string
}{
	{"in a comment, a string, a text block or a char literal there is none", `class C {
    // synchronized (a) { }
    /* synchronized (a) { } */
    String s = "synchronized (a) { }";
    String t = """
        synchronized (a) { \""" }
        """;
    char q = '{';
    void m() { }
}`, nil},
	{"nested, with a comment in the lock", `class C {
    void m() { synchronized (a) { synchronized (this.b /* journal */) { } } }
}`, []string{"a", "this.b<a"}},
	{"a lambda's or an anonymous class's body does not run under the monitor", `class C {
    void m() {
        synchronized (a) {
            Runnable r = () -> { synchronized (b) { } };
            new Thread(new Runnable() { public void run() { synchronized (c) { } } });
            Runnable s = () -> new Object() { void f() { synchronized (d) { } } };
            class Local { void g() { synchronized (e) { } } }
        }
    }
}`, []string{"a", "b", "c", "d", "e"}},
	{"a switch rule's block and a case's statements do", `class C {
    void m(int k) {
        synchronized (a) {
            switch (k) {
                case 1 -> { synchronized (b) { } }
                default -> { }
            }
            switch (k) { case 2: synchronized (c) { } break; default: }
        }
    }
}`, []string{"a", "b<a", "c<a"}},
	{"locks in canonical form", `class C {
    void m() {
        synchronized ( this . b ) { }
        synchronized (Foo.class) { }
        synchronized (map.get("synchronized (")) { }
    }
}`, []string{"this.b", "Foo.class", `map.get("synchronized (")`}},
	{"a synchronized method is a modifier, not a statement; initializers hold statements", `class C {
    synchronized void m() { }
    static { synchronized (L) { } }
    Object o = new Object() { public String toString() { synchronized (this) { return ""; } } };
}`, []string{"L", "this"}},
}

// TestSyntaxJavaSyncs runs javaSyncs of the reader in use over the table.
func TestSyntaxJavaSyncs(t *testing.T) {
	for _, c := range javaSyncCases {
		ss := syntax.javaSyncs(c.src)
		var got []string
		for _, s := range ss {
			must(t, strings.HasPrefix(c.src[s.start:], "synchronized") && c.src[s.open] == '{' && c.src[s.end] == '}',
				"%s: ranges %d %d %d", c.name, s.start, s.open, s.end)
			g := s.lock
			if s.outer >= 0 {
				g += "<" + ss[s.outer].lock
			}
			got = append(got, g)
		}
		must(t, slices.Equal(got, c.want), "%s (%s):\n got %q\nwant %q", c.name, syntaxName, got, c.want)
	}
}

// javaUnitCases render the package, then each type as `kind name [top]
// (ctor params)...`.
var javaUnitCases = []struct {
	name, src string
	want      []string
}{
	{"a package with a comment; top-level and nested types; constructors", `package a /* x */ .b;
public class A {
    A() { }
    A(int n) { }
    static class B { private B(String s) { } }
    enum E { X { }, Y; E() { } }
    interface I { }
    record R(int x) { R { } }
}
class C { }`, []string{"a.b", "class A top () (int n)", "class B (String s)", "enum E ()", "interface I", "record R", "class C top"}},
	{"no package; an anonymous class is no type, a local class is", `class D {
    void m() {
        Object o = new Object() { };
        class Local { Local(int x) { } }
    }
}`, []string{"", "class D top", "class Local (int x)"}},
}

// TestSyntaxJavaUnit runs javaUnit of the reader in use over the table.
func TestSyntaxJavaUnit(t *testing.T) {
	for _, c := range javaUnitCases {
		u := syntax.javaUnit(c.src)
		got := []string{u.pkg}
		for _, ty := range u.types {
			must(t, c.src[ty.open] == '{' && c.src[ty.end] == '}', "%s: %s body %d-%d", c.name, ty.name, ty.open, ty.end)
			g := ty.kind + " " + ty.name
			if ty.top {
				g += " top"
			}
			for _, p := range ty.ctors {
				g += " (" + p + ")"
			}
			got = append(got, g)
		}
		must(t, slices.Equal(got, c.want), "%s (%s):\n got %q\nwant %q", c.name, syntaxName, got, c.want)
	}
}

// javaMethodCases render each method as `name first-last (params)`,
// lines of its header's start and of its closing brace.
var javaMethodCases = []struct {
	name, src string
	want      []string
}{
	{"a header in a text block or comment is none; annotations on their own line are not the header", `class C {
    String t = """
        void fake() {
        """;
    // void fake2() {
    @Override
    public <T> java.util.List<T> real(java.util.Map<String, T> m) throws Exception {
        return null;
    }
    abstract void noBody();
}`, []string{"real 7-9 (java.util.Map<String, T> m)"}},
	{"methods of interfaces, enum constant bodies and anonymous classes", `interface I { default void d() { } void a(); }
enum E { X { void x() { } }; void e() { } }
class C { Runnable r = new Runnable() { public void run() { } }; }`,
		[]string{"d 1-1 ()", "x 2-2 ()", "e 2-2 ()", "run 3-3 ()"}},
}

// TestSyntaxJavaMethods runs javaMethods of the reader in use.
func TestSyntaxJavaMethods(t *testing.T) {
	for _, c := range javaMethodCases {
		var got []string
		for _, m := range syntax.javaMethods(c.src) {
			got = append(got, fmt.Sprintf("%s %d-%d (%s)", m.name, lineOf(c.src, m.start), lineOf(c.src, m.end), m.params))
		}
		must(t, slices.Equal(got, c.want), "%s (%s):\n got %q\nwant %q", c.name, syntaxName, got, c.want)
	}
}
