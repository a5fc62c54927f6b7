package template

import "strings"

// pyRef is one occurrence of a name or attribute chain as a variable in
// code (not an attribute of something else, a keyword argument's name,
// or part of an import's module path).
type pyRef struct {
	start, end int
	// write: the occurrence binds or rebinds the chain — an assignment
	// (plain, augmented, annotated, walrus), for, with or except target,
	// directly, inside a target tuple or list, or through one subscript
	// (`x[i] = v`, which stores into x); a del; a parameter, def or class
	// name, import or global declaration.
	write bool
	// method is the method called on it when the occurrence is a
	// call's receiver (`x.append(v)` → "append"), else "".
	method string
}

// pyRoles is what a statement's tokens are besides expressions.
type pyRoles struct {
	// role per token: 'b' binds a name (parameter, def or class name,
	// import, global), 'k' a keyword argument's name, 'x' no variable
	// (an import's module path), 0 an expression.
	role   []byte
	target [][2]int // token ranges [a, b) that are assignment, for, with, except or del targets
	params int      // a def's parameter list's `(`, where `name=` is no keyword argument; -1
}

// refs lists the occurrences of chain that lie in src[start:end].
func (p *pyScan) refs(chain string, start, end int) []pyRef {
	names := strings.Split(chain, ".")
	var out []pyRef
	for _, pc := range p.pieces {
		if pc.toks[0].s < end && pc.toks[len(pc.toks)-1].e > start {
			p.refsIn(pc.kind, pc.toks, pc.match, names, &out)
		}
	}
	var in []pyRef
	for _, r := range out {
		if r.start >= start && r.end <= end {
			in = append(in, r)
		}
	}
	return in
}

// refsIn adds the occurrences in one statement's tokens (kind as in
// pyPiece) or one f-string field's ("expr").
func (p *pyScan) refsIn(kind string, toks []ptok, match []int, names []string, out *[]pyRef) {
	r := p.rolesOf(kind, toks, match)
	for k, t := range toks {
		for _, f := range t.fields {
			p.refsIn("expr", f, pyMatch(p.src, f), names, out)
		}
		last, ok := p.chainAt(toks, k, names)
		if !ok || k > 0 && p.text(toks[k-1]) == "." || r.role[k] == 'k' || r.role[k] == 'x' || r.role[k] == 'b' && k != last {
			continue
		}
		ref := pyRef{start: t.s, end: toks[last].e}
		ref.write = r.role[k] == 'b' || last+1 < len(toks) && p.text(toks[last+1]) == ":=" || r.targets(p, toks, match, k, last)
		if last+3 < len(toks) && p.text(toks[last+1]) == "." && toks[last+2].kind == 'w' && p.text(toks[last+3]) == "(" {
			ref.method = p.text(toks[last+2])
		}
		*out = append(*out, ref)
	}
}

// chainAt reports whether names, dot-separated, start at toks[k], and
// the index of the last name.
func (p *pyScan) chainAt(toks []ptok, k int, names []string) (int, bool) {
	for i, n := range names {
		j := k + 2*i
		if j >= len(toks) || p.text(toks[j]) != n || toks[j].kind != 'w' || i > 0 && p.text(toks[j-1]) != "." {
			return 0, false
		}
	}
	return k + 2*(len(names)-1), true
}

// targets reports whether toks[k..last] is itself a target: at the
// pattern level of a target range (not inside a call or an index), and
// followed by nothing but one subscript before the element ends.
func (r *pyRoles) targets(p *pyScan, toks []ptok, match []int, k, last int) bool {
	for _, tr := range r.target {
		a, b := tr[0], tr[1]
		if k < a || last >= b || !p.patternElement(toks, a, k) {
			continue
		}
		after := last + 1
		if after < b && p.text(toks[after]) == "[" && match[after] > after {
			after = match[after] + 1
		}
		if after >= b || p.text(toks[after]) == "," || match[after] >= 0 && match[after] < after {
			return true
		}
	}
	return false
}

// patternElement reports whether an element of the target pattern
// starting at a begins at k: every bracket open at k groups elements
// (a tuple or list of targets, not a call or subscript), and k follows
// the start, a comma or a star of that level.
func (p *pyScan) patternElement(toks []ptok, a, k int) bool {
	var groups []bool
	start := true
	level := func() bool { return len(groups) == 0 || groups[len(groups)-1] }
	for j := a; j < k; j++ {
		switch t := p.text(toks[j]); {
		case t == "(" || t == "[" || t == "{":
			g := start && level() && t != "{"
			groups = append(groups, g)
			start = g
		case t == ")" || t == "]" || t == "}":
			if len(groups) > 0 {
				groups = groups[:len(groups)-1]
			}
			start = false
		case t == "," || t == "*":
			start = level()
		default:
			start = false
		}
	}
	return start && level()
}

// rolesOf reads a statement's (or an f-string field's, kind "expr")
// bindings, targets and keyword arguments.
func (p *pyScan) rolesOf(kind string, toks []ptok, match []int) *pyRoles {
	r := &pyRoles{role: make([]byte, len(toks)), params: -1}
	w := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return p.text(toks[i])
	}
	head := 0
	if w(0) == "async" {
		head = 1
	}
	bind := func(i int) {
		if i < len(toks) && toks[i].kind == 'w' {
			r.role[i] = 'b'
		}
	}
	switch {
	case kind == "def":
		bind(head + 1)
		if r.params = defParams(p, toks, match, head); r.params >= 0 {
			p.bindParams(r, toks, match, r.params+1, ")")
		}
	case kind == "class":
		bind(1)
	case kind == "for":
		r.target = append(r.target, [2]int{head + 1, p.findIn(toks, match, head+1)})
	case kind == "with" || kind == "except":
		for i := range toks {
			if w(i) == "as" {
				r.target = append(r.target, [2]int{i + 1, p.itemEnd(toks, match, i+1)})
			}
		}
	case kind == "" && (w(0) == "import" || w(0) == "from"):
		p.importRoles(r, toks)
	case kind == "" && (w(0) == "global" || w(0) == "nonlocal"):
		for i := 1; i < len(toks); i++ {
			bind(i)
		}
	case kind == "" && w(0) == "del":
		r.target = append(r.target, [2]int{1, len(toks)})
	case kind == "match" || kind == "case" || kind == "" && p.typeAlias(toks):
		r.role[0] = 'x' // a soft keyword, no name
	case kind == "":
		p.assignTargets(r, toks, match)
	}
	for i := range toks {
		switch {
		case w(i) == "lambda":
			p.bindParams(r, toks, match, i+1, ":")
		case w(i) == "for" && !(kind == "for" && i == head):
			r.target = append(r.target, [2]int{i + 1, p.findIn(toks, match, i+1)}) // a comprehension's
		}
	}
	if kind == "case" {
		for i := range toks {
			if w(i) == "_" {
				r.role[i] = 'x' // the wildcard pattern
			}
		}
		return r // `Point(x=0)` matches an attribute: x is read, as a name
	}
	p.keywordArgs(r, toks, match)
	return r
}

// assignTargets marks the target lists of an assignment statement.
func (p *pyScan) assignTargets(r *pyRoles, toks []ptok, match []int) {
	eqs, colon, aug := p.assignOps(toks, match)
	switch {
	case aug >= 0:
		r.target = append(r.target, [2]int{0, aug})
	case colon >= 0 && (len(eqs) == 0 || colon < eqs[0]):
		r.target = append(r.target, [2]int{0, colon})
		for k := 0; k+1 < len(eqs); k++ {
			r.target = append(r.target, [2]int{eqs[k] + 1, eqs[k+1]})
		}
	case len(eqs) > 0:
		r.target = append(r.target, [2]int{0, eqs[0]})
		for k := 0; k+1 < len(eqs); k++ {
			r.target = append(r.target, [2]int{eqs[k] + 1, eqs[k+1]})
		}
	}
}

// bindParams marks parameter names from i up to the closing token at
// the same depth: each name that starts a parameter, after any stars;
// annotations and defaults stay expressions.
func (p *pyScan) bindParams(r *pyRoles, toks []ptok, match []int, i int, closing string) {
	start := true
	for j := i; j < len(toks); j++ {
		t := p.text(toks[j])
		switch {
		case t == closing || match[j] >= 0 && match[j] < j:
			return
		case match[j] > j:
			j, start = match[j], false
		case t == ",":
			start = true
		case t == "*" || t == "**":
		case start && toks[j].kind == 'w':
			r.role[j], start = 'b', false
		default:
			start = false
		}
	}
}

// findIn is the index of the `in` of a for target starting at i, at the
// same bracket depth, or the end of that depth.
func (p *pyScan) findIn(toks []ptok, match []int, i int) int {
	for ; i < len(toks); i++ {
		switch {
		case p.text(toks[i]) == "in":
			return i
		case match[i] > i:
			i = match[i]
		case match[i] >= 0:
			return i
		}
	}
	return len(toks)
}

// itemEnd ends a with or except `as` target: the next comma or closing
// bracket at its depth, or the end.
func (p *pyScan) itemEnd(toks []ptok, match []int, i int) int {
	for ; i < len(toks); i++ {
		switch {
		case match[i] > i:
			i = match[i]
		case p.text(toks[i]) == "," || match[i] >= 0:
			return i
		}
	}
	return len(toks)
}

// importRoles marks an import's bindings — `import a.b` binds a,
// `import a.b as c` and `from m import x as c` bind c, `from m import x`
// binds x — and every other name in it as no variable.
func (p *pyScan) importRoles(r *pyRoles, toks []ptok) {
	i := 1
	if p.text(toks[0]) == "from" {
		for ; i < len(toks) && p.text(toks[i]) != "import"; i++ {
			r.role[i] = 'x'
		}
		i++
	}
	item := true
	for ; i < len(toks); i++ {
		switch t := p.text(toks[i]); {
		case t == ",":
			item = true
		case t == "as" && i+1 < len(toks):
			r.role[i+1] = 'b'
			i++
		case toks[i].kind == 'w':
			r.role[i] = 'x'
			if item {
				r.role[i] = 'b'
			}
			item = false
		}
	}
	// `import a.b as c`: the path is no binding once an alias is given.
	for i := range toks {
		if p.text(toks[i]) == "as" {
			for j := i - 1; j >= 0 && p.text(toks[j]) != "," && p.text(toks[j]) != "import" && p.text(toks[j]) != "("; j-- {
				if toks[j].kind == 'w' {
					r.role[j] = 'x'
				}
			}
		}
	}
}

// keywordArgs marks `name=` inside a call's parentheses: not in a def's
// parameter list (`b: T = v` annotates), nor a lambda's parameter
// (marked before).
func (p *pyScan) keywordArgs(r *pyRoles, toks []ptok, match []int) {
	var open []int
	for i := range toks {
		switch {
		case match[i] > i:
			open = append(open, i)
		case match[i] >= 0 && len(open) > 0:
			open = open[:len(open)-1]
		case toks[i].kind == 'w' && r.role[i] == 0 && len(open) > 0 && p.text(toks[open[len(open)-1]]) == "(" &&
			open[len(open)-1] != r.params && i+1 < len(toks) && p.text(toks[i+1]) == "=":
			r.role[i] = 'k'
		}
	}
}
