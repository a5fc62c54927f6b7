package template

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// The Java template reads the source through the syntax reader: the
// methods, the synchronized statements and how they nest, and the class
// a regression test can construct. Limits: a synchronized method (the
// modifier) is not a block the template can reorder, and monitors are
// compared as the text of their expressions (`this.a` and `a` differ).

// javaMethod is a method's body range and its parameters.
type javaMethod struct {
	name       string
	start, end int // offsets: the start of the header's line, the closing brace
	open       int // the body's opening brace
	params     string
}

// nestedOrder is the first pair of monitors the method m takes nested:
// the first statement, in source order, that holds its monitor while
// another statement inside it takes a different one.
func nestedOrder(syncs []javaSync, m javaMethod) (outer, inner *javaSync) {
	in := func(k int) bool { return syncs[k].start > m.open && syncs[k].end < m.end }
	for i := range syncs {
		for j := range syncs {
			if in(i) && in(j) && syncs[j].lock != syncs[i].lock && heldBy(syncs, j, i) {
				return &syncs[i], &syncs[j]
			}
		}
	}
	return nil, nil
}

// heldBy reports whether statement i's monitor is held when j is entered.
func heldBy(syncs []javaSync, j, i int) bool {
	for k := syncs[j].outer; k >= 0; k = syncs[k].outer {
		if k == i {
			return true
		}
	}
	return false
}

// lineOf is the 1-based line of byte offset off.
func lineOf(src string, off int) int { return strings.Count(src[:off], "\n") + 1 }

// javaMethodOf finds the method of a site: by name, then by line.
func javaMethodOf(src string, s site) (javaMethod, bool) {
	name := s.Function[strings.LastIndex(s.Function, ".")+1:]
	for _, m := range syntax.javaMethods(src) {
		if m.end > 0 && m.name == name && (s.Line == 0 || lineOf(src, m.start) <= s.Line && s.Line <= lineOf(src, m.end)) {
			return m, true
		}
	}
	return javaMethod{}, false
}

func (pr *problem) javaMethodSpan(s site) (funcSpan, bool) {
	src, err := pr.repo.read(s.File)
	if err != nil {
		return funcSpan{}, false
	}
	m, ok := javaMethodOf(src, s)
	if !ok {
		return funcSpan{}, false
	}
	return funcSpan{File: s.File, Start: lineOf(src, m.start), End: lineOf(src, m.end)}, true
}

// javaLockOrder fixes an AB-BA deadlock between two methods that nest
// the same two monitors in opposite orders: the method ranked second
// takes its peer's outer monitor first, around its own block. Java
// monitors are reentrant, so its inner re-acquisition is harmless and
// every field stays under the monitor that guarded it.
func javaLockOrder(pr *problem) []*fix {
	if !pr.kindIs("deadlock", "blocked") {
		return nil
	}
	type found struct {
		s            site
		m            javaMethod
		outer, inner *javaSync
	}
	var fs []found
	for _, s := range pr.sites {
		if s.Lang != "java" {
			continue
		}
		src, err := pr.repo.read(s.File)
		if err != nil {
			continue
		}
		m, ok := javaMethodOf(src, s)
		if !ok {
			continue
		}
		o, in := nestedOrder(syntax.javaSyncs(src), m)
		if o == nil {
			continue
		}
		for _, f := range fs {
			if f.s.File != s.File || f.m.name == m.name || f.outer.lock != in.lock || f.inner.lock != o.lock {
				continue
			}
			return []*fix{javaWrap(pr, s, src, m, o, f.outer.lock, f.m.name)}
		}
		fs = append(fs, found{s, m, o, in})
	}
	return nil
}

// javaWrap wraps the method's outer block in `synchronized (first)`.
func javaWrap(pr *problem, s site, src string, m javaMethod, outer *javaSync, first, peer string) *fix {
	ls := strings.LastIndex(src[:outer.start], "\n") + 1
	indent := src[ls:outer.start]
	unit := "    "
	if strings.Contains(indent, "\t") {
		unit = "\t"
	}
	le := outer.end + 1
	if i := strings.IndexByte(src[le:], '\n'); i >= 0 {
		le += i
	}
	block := src[ls:le]
	var sb strings.Builder
	fmt.Fprintf(&sb, "%ssynchronized (%s) {\n", indent, first)
	for _, l := range strings.Split(block, "\n") {
		if l != "" {
			l = unit + l
		}
		sb.WriteString(l + "\n")
	}
	fmt.Fprintf(&sb, "%s}", indent)
	out := src[:ls] + sb.String() + src[le:]
	why := fmt.Sprintf("lock-order: %s nests %s inside %s while %s nests them the other way, so one thread in each holds one monitor and waits for the other "+
		"(the deadlock's acquisition sites are in both). %s now takes %s first, as %s does, around its own block; Java monitors are reentrant, "+
		"so its inner synchronized (%s) still guards what it guarded and only the order changes, inside %s.",
		peer, outer.lock, first, m.name, m.name, first, peer, first, m.name)
	f := &fix{template: "lock-order", site: s, why: why, files: map[string][2]string{s.File: {src, out}}}
	f.test = javaTest(src, s.File, peer, m)
	return f
}

// javaTest runs the two methods from two threads and fails if they do
// not finish in time; it is a main class, run with `java`. It needs both
// methods in the top-level class that declares m, and a constructor
// without arguments to make the object they share.
func javaTest(src, file, a string, m javaMethod) *regressionTest {
	unit := syntax.javaUnit(src)
	cls := javaTypeAt(unit.types, m.open)
	if cls < 0 || !unit.types[cls].top || unit.types[cls].kind != "class" || !noArgCtor(unit.types[cls]) {
		return nil
	}
	methods := syntax.javaMethods(src)
	call := func(name string) string {
		for _, mm := range methods {
			// A method of a local or anonymous class is not o's.
			inner := slices.ContainsFunc(methods, func(o javaMethod) bool { return o.open < mm.open && mm.end < o.end })
			if mm.name == name && !inner && javaTypeAt(unit.types, mm.open) == cls {
				return "o." + name + "(" + javaArgs(mm.params) + ")"
			}
		}
		return ""
	}
	ca, cb := call(a), call(m.name)
	if ca == "" || cb == "" {
		return nil
	}
	class, b := unit.types[cls].name, m.name
	// The Test suffix is what marks a Java file as a test (the verifier's
	// locality check exempts only tests from staying inside the slice).
	name := class + "TagRegressionTest"
	run := name
	if unit.pkg != "" {
		run = unit.pkg + "." + name
	}
	var sb strings.Builder
	if unit.pkg != "" {
		fmt.Fprintf(&sb, "package %s;\n\n", unit.pkg)
	}
	fmt.Fprintf(&sb, `/**
 * TAG's regression test for the incident (template proposer): %s and %s
 * running together must finish (the AB-BA deadlock). Run: java %s.
 */
public class %s {
    public static void main(String[] args) throws Exception {
        %s o = new %s();
        Thread a = new Thread(() -> { for (int i = 0; i < 500; i++) %s; });
        Thread b = new Thread(() -> { for (int i = 0; i < 500; i++) %s; });
        a.setDaemon(true);
        b.setDaemon(true);
        a.start();
        b.start();
        // The JVM names a deadlock as soon as it forms; the deadline
        // catches any other way of never finishing.
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long deadline = System.currentTimeMillis() + 5000;
        while ((a.isAlive() || b.isAlive()) && System.currentTimeMillis() < deadline) {
            if (mx.findDeadlockedThreads() != null) {
                System.out.println("FAIL: %s and %s deadlocked");
                System.exit(1);
            }
            Thread.sleep(10);
        }
        if (a.isAlive() || b.isAlive()) {
            System.out.println("FAIL: %s and %s did not finish in 5s");
            System.exit(1);
        }
        System.out.println("PASS");
    }
}
`, a, b, run, name, class, class, ca, cb, a, b, a, b)
	return &regressionTest{File: path.Join(path.Dir(file), name+".java"), Content: sb.String(), Name: run}
}

// javaTypeAt is the index of the innermost named type whose body holds
// off, or -1.
func javaTypeAt(types []javaType, off int) int {
	in := -1
	for i, t := range types {
		if t.open < off && off < t.end && (in < 0 || t.open > types[in].open) {
			in = i
		}
	}
	return in
}

// noArgCtor reports whether `new T()` compiles as far as constructors
// go: none is declared (the implicit one), or one takes no arguments.
func noArgCtor(t javaType) bool {
	if len(t.ctors) == 0 {
		return true
	}
	return slices.ContainsFunc(t.ctors, func(p string) bool { return strings.TrimSpace(p) == "" })
}

// javaArgs writes a minimal argument for each declared parameter.
func javaArgs(params string) string {
	var out []string
	for _, p := range strings.Split(params, ",") {
		f := strings.Fields(p)
		if len(f) < 2 {
			continue
		}
		switch f[len(f)-2] {
		case "int", "long", "short", "byte", "double", "float":
			out = append(out, "1")
		case "boolean":
			out = append(out, "false")
		case "char":
			out = append(out, "'a'")
		case "String":
			out = append(out, `"x"`)
		default:
			out = append(out, "null")
		}
	}
	return strings.Join(out, ", ")
}
