package template

// The scanner's reading of Java: tokens (comments and literals already
// set apart by javaLex), brackets paired, then a walk that knows the
// few places where code changes hands — a class body holds members, a
// member's body holds statements, and a lambda's or an anonymous
// class's body runs later, maybe on another thread, so the monitors of
// the code around it are not held there.

// javaSync is a `synchronized (lock) { ... }` statement.
type javaSync struct {
	// lock is the monitor expression in javaCanon form (`this.a`,
	// `Foo.class`), so two statements on the same monitor compare equal
	// whatever their spacing and comments.
	lock  string
	start int // the `synchronized` keyword
	open  int // the body's `{`
	end   int // the body's `}`
	// outer is the index (in the same list) of the innermost
	// synchronized statement whose monitor is held when this one is
	// entered, or -1. A lambda or class body in between breaks the
	// chain: that code does not run while the outer monitor is held.
	outer int
}

// javaUnit is what a compilation unit declares.
type javaUnit struct {
	pkg   string     // the package name, "" for the default package
	types []javaType // named types in source order (anonymous classes are not listed)
}

// javaType is a named class, interface, enum, record or annotation type.
type javaType struct {
	name, kind string // kind: class, interface, enum, record or annotation
	top        bool   // declared at the top level of the file
	open, end  int    // the body's braces
	ctors      []string
	// ctors holds the declared constructors' parameter lists, masked as
	// javaMethod.params are; none means the implicit no-argument one.
}

// javaScan is one file's scanner state.
type javaScan struct {
	src, masked string
	toks        []jtok
	match       []int // a bracket token's partner, or -1
	methods     []javaMethod
	syncs       []javaSync
	unit        javaUnit
}

// fileLevel marks members read at the top of the file (types there are
// top-level); anonymous marks an anonymous class body.
const (
	fileLevel = -2
	anonymous = -1
)

// scanJava reads src's members and statements; it never fails (source
// that does not compile still yields what its brackets suggest).
func scanJava(src string) *javaScan {
	p := &javaScan{src: src, masked: javaMask(src), toks: javaTokens(src)}
	p.match = pairBrackets(len(p.toks), func(i int) byte { return p.src[p.toks[i].s] }, func(i int) bool { return p.toks[i].kind == 'p' })
	i := p.skipAnnotations(0, len(p.toks))
	if p.is(i, "package") {
		semi := p.find(i, len(p.toks), ";")
		end := len(src)
		if semi < len(p.toks) {
			end = p.toks[semi].s
		}
		p.unit.pkg = javaCanon(src, p.toks[i].e, end)
		i = semi + 1
	}
	p.members(i, len(p.toks), fileLevel, false)
	return p
}

// openerOf is each closing bracket's opening one.
var openerOf = map[byte]byte{')': '(', ']': '[', '}': '{'}

// pairBrackets pairs (), [] and {} among n tokens; an unbalanced one
// keeps -1.
func pairBrackets(n int, at func(int) byte, punct func(int) bool) []int {
	match := make([]int, n)
	var stack []int
	for i := range match {
		match[i] = -1
		if !punct(i) {
			continue
		}
		switch c := at(i); c {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			open := openerOf[c]
			for k := len(stack) - 1; k >= 0; k-- {
				if at(stack[k]) == open {
					match[stack[k]], match[i] = i, stack[k]
					stack = stack[:k]
					break
				}
			}
		}
	}
	return match
}

func (p *javaScan) text(i int) string { return p.src[p.toks[i].s:p.toks[i].e] }

// is reports whether token i exists and is code spelled t (a literal
// never is: its kind is not a word or punctuation).
func (p *javaScan) is(i int, t string) bool {
	return i >= 0 && i < len(p.toks) && (p.toks[i].kind == 'w' || p.toks[i].kind == 'p') && p.text(i) == t
}

func (p *javaScan) word(i int) bool { return i >= 0 && i < len(p.toks) && p.toks[i].kind == 'w' }

// close is the partner of the bracket at i, or limit when it has none
// before limit.
func (p *javaScan) close(i, limit int) int {
	if m := p.match[i]; m > i && m < limit {
		return m
	}
	return limit
}

// find is the first t at bracket depth 0 in [i, end), or end.
func (p *javaScan) find(i, end int, t string) int {
	for ; i < end; i++ {
		if p.is(i, t) {
			return i
		}
		if p.is(i, "(") || p.is(i, "[") || p.is(i, "{") {
			i = p.close(i, end)
		}
	}
	return end
}

// skipAnnotations passes `@Name`, `@a.b.Name(args)` (not `@interface`).
func (p *javaScan) skipAnnotations(i, end int) int {
	for i < end && p.is(i, "@") && !p.is(i+1, "interface") {
		i++
		for p.word(i) && i < end {
			i++
			if !p.is(i, ".") || !p.word(i+1) {
				break
			}
			i++
		}
		if p.is(i, "(") {
			i = p.close(i, end) + 1
		}
	}
	return i
}

// typeKeyword is the kind a type declaration starting at token i
// declares, and the index of its name; ok is false when i starts none.
// `record` is a keyword only before a name and a header.
func (p *javaScan) typeKeyword(i int) (kind string, name int, ok bool) {
	if p.is(i-1, ".") {
		return "", 0, false // Foo.class
	}
	switch {
	case p.is(i, "@") && p.is(i+1, "interface") && p.word(i+2):
		return "annotation", i + 2, true
	case (p.is(i, "class") || p.is(i, "interface") || p.is(i, "enum")) && p.word(i+1):
		return p.text(i), i + 1, true
	case p.is(i, "record") && p.word(i+1) && (p.is(i+2, "(") || p.is(i+2, "<")):
		return "record", i + 1, true
	}
	return "", 0, false
}
