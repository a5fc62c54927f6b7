package template

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The Java template works on a masked copy of the source — comments,
// string and char literals blanked to spaces, offsets kept — so braces
// and keywords found in it are code. Limits: lambdas and anonymous
// classes inside a method are part of the method; monitors on
// expressions other than a name or field are compared as text.

// javaMask blanks comments and literals, keeping newlines.
func javaMask(src string) string {
	b := []byte(src)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			for ; i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/'); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
			if i+1 < len(b) {
				b[i], b[i+1] = ' ', ' '
				i++
			}
		case b[i] == '"' || b[i] == '\'':
			q := b[i]
			for i++; i < len(b) && b[i] != q && b[i] != '\n'; i++ {
				if b[i] == '\\' {
					b[i] = ' '
					i++
				}
				if i < len(b) {
					b[i] = ' '
				}
			}
		}
	}
	return string(b)
}

// closing returns the offset of the brace matching the one at open.
func closing(masked string, open int) int {
	depth := 0
	for i := open; i < len(masked); i++ {
		switch masked[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// javaMethod is a method's body range and its parameters.
type javaMethod struct {
	name       string
	start, end int // offsets: the header's start, the closing brace
	open       int // the body's opening brace
	params     string
}

var javaMethodRe = regexp.MustCompile(`(?m)^[ \t]*(?:(?:public|protected|private|static|final|synchronized)\s+)*[\w<>\[\], ]+\s+(\w+)\s*\(([^)]*)\)\s*(?:throws[\w\s,.]+)?\{`)

// javaMethodsMasked lists the methods of a masked source (the scanner's
// reading; the templates ask the syntax reader).
func javaMethodsMasked(masked string) []javaMethod {
	var out []javaMethod
	for _, m := range javaMethodRe.FindAllStringSubmatchIndex(masked, -1) {
		name := masked[m[2]:m[3]]
		if name == "if" || name == "for" || name == "while" || name == "switch" || name == "catch" || name == "synchronized" {
			continue
		}
		open := m[1] - 1
		out = append(out, javaMethod{name: name, start: m[0], end: closing(masked, open), open: open, params: masked[m[4]:m[5]]})
	}
	return out
}

// syncBlock is `synchronized (lock) { ... }`.
type syncBlock struct {
	lock        string
	start, open int
	end         int
}

var syncRe = regexp.MustCompile(`synchronized\s*\(([^)]*)\)\s*\{`)

func syncBlocks(masked string, m javaMethod) []syncBlock {
	var out []syncBlock
	for _, s := range syncRe.FindAllStringSubmatchIndex(masked[m.open:m.end], -1) {
		open := m.open + s[1] - 1
		out = append(out, syncBlock{lock: strings.TrimSpace(masked[m.open+s[2] : m.open+s[3]]), start: m.open + s[0], open: open, end: closing(masked, open)})
	}
	return out
}

// nestedOrder is the first pair of monitors a method takes nested.
func nestedOrder(bs []syncBlock) (outer, inner *syncBlock) {
	for i := range bs {
		for j := range bs {
			if bs[j].start > bs[i].open && bs[j].end < bs[i].end && bs[j].lock != bs[i].lock {
				return &bs[i], &bs[j]
			}
		}
	}
	return nil, nil
}

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
		outer, inner *syncBlock
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
		masked := javaMask(src)
		m, ok := javaMethodOf(src, s)
		if !ok {
			continue
		}
		o, in := nestedOrder(syncBlocks(masked, m))
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
func javaWrap(pr *problem, s site, src string, m javaMethod, outer *syncBlock, first, peer string) *fix {
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
	f.test = javaTest(src, s.File, peer, m.name)
	return f
}

// javaTest runs the two methods from two threads and fails if they do
// not finish in time; it is a main class, run with `java`.
func javaTest(src, file, a, b string) *regressionTest {
	masked := javaMask(src)
	cls := regexp.MustCompile(`class\s+(\w+)`).FindStringSubmatch(masked)
	if cls == nil {
		return nil
	}
	pkg := regexp.MustCompile(`(?m)^\s*package\s+([\w.]+)\s*;`).FindStringSubmatch(masked)
	if regexp.MustCompile(`\b`+cls[1]+`\s*\(\s*[^)\s]`).MatchString(masked) && !regexp.MustCompile(`\b`+cls[1]+`\s*\(\s*\)\s*\{`).MatchString(masked) {
		return nil // no no-argument constructor
	}
	call := func(name string) string {
		for _, m := range syntax.javaMethods(src) {
			if m.name == name {
				return "o." + name + "(" + javaArgs(m.params) + ")"
			}
		}
		return ""
	}
	ca, cb := call(a), call(b)
	if ca == "" || cb == "" {
		return nil
	}
	// The Test suffix is what marks a Java file as a test (the verifier's
	// locality check exempts only tests from staying inside the slice).
	name := cls[1] + "TagRegressionTest"
	run := name
	if pkg != nil {
		run = pkg[1] + "." + name
	}
	var sb strings.Builder
	if pkg != nil {
		fmt.Fprintf(&sb, "package %s;\n\n", pkg[1])
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
`, a, b, run, name, cls[1], cls[1], ca, cb, a, b, a, b)
	return &regressionTest{File: path.Join(path.Dir(file), name+".java"), Content: sb.String(), Name: run}
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
