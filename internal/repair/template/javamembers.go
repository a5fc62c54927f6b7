package template

// members reads the members of a class body, tokens [i, end); cls is
// the index of the declaring type in p.unit.types, fileLevel or
// anonymous.
func (p *javaScan) members(i, end, cls int, enum bool) {
	if enum {
		i = p.enumConstants(i, end)
	}
	for i < end {
		switch {
		case p.is(i, ";"):
			i++
		case p.is(i, "{"): // an instance initializer
			c := p.close(i, end)
			p.code(i+1, c, -1)
			i = c + 1
		case p.is(i, "static") && p.is(i+1, "{"):
			c := p.close(i+1, end)
			p.code(i+2, c, -1)
			i = c + 1
		default:
			i = p.member(i, end, cls)
		}
	}
}

// member reads one member starting at i and returns where the next
// begins. What it is shows in the first of these at depth 0: a type
// keyword (a nested type), `(` (a method or constructor), `=` or `;` (a
// field), `{` (a record's compact constructor).
func (p *javaScan) member(i, end, cls int) int {
	i = p.skipAnnotations(i, end)
	head := i
	for j := i; j < end; j++ {
		if _, _, ok := p.typeKeyword(j); ok {
			return p.typeDecl(j, end, cls == fileLevel)
		}
		switch {
		case p.is(j, "@"):
			j = p.skipAnnotations(j, end) - 1
		case p.is(j, "("):
			return p.method(head, j, end, cls)
		case p.is(j, "=") || p.is(j, ";"):
			semi := p.find(j, end, ";")
			p.code(j, semi, -1) // a field's initializer may hold lambdas and anonymous classes
			return semi + 1
		case p.is(j, "{"):
			c := p.close(j, end)
			p.code(j+1, c, -1)
			return c + 1
		}
	}
	return end
}

// method reads a method or constructor whose parameters open at paren.
func (p *javaScan) method(head, paren, end, cls int) int {
	cp := p.close(paren, end)
	k := cp + 1
	for ; k < end && !p.is(k, "{") && !p.is(k, ";"); k++ {
		if p.is(k, "default") { // an annotation element's default value
			return p.find(k, end, ";") + 1
		}
		if p.is(k, "(") || p.is(k, "[") {
			k = p.close(k, end)
		}
	}
	if k >= end || p.is(k, ";") || !p.word(paren-1) {
		return k + 1 // abstract, native or an interface's: no body
	}
	body := p.close(k, end)
	name := p.text(paren - 1)
	p.methods = append(p.methods, javaMethod{
		name:   name,
		start:  lineStart(p.src, p.toks[head].s),
		open:   p.toks[k].s,
		end:    p.toks[min(body, len(p.toks)-1)].s,
		params: p.masked[p.toks[paren].e:p.toks[min(cp, len(p.toks)-1)].s],
	})
	if cls >= 0 && name == p.unit.types[cls].name && p.onlyModifiers(head, paren-1) {
		p.unit.types[cls].ctors = append(p.unit.types[cls].ctors, p.methods[len(p.methods)-1].params)
	}
	p.code(k+1, body, -1)
	return body + 1
}

// javaModifiers may precede a constructor's name.
var javaModifiers = map[string]bool{"public": true, "protected": true, "private": true}

// onlyModifiers reports whether [i, name) holds modifiers and type
// parameters only: no return type, so the member is a constructor.
func (p *javaScan) onlyModifiers(i, name int) bool {
	depth := 0
	for ; i < name; i++ {
		switch {
		case p.is(i, "<"):
			depth++
		case p.is(i, ">"):
			depth--
		case p.is(i, "@"):
			i = p.skipAnnotations(i, name) - 1
		case depth == 0 && !javaModifiers[p.text(i)]:
			return false
		}
	}
	return true
}

// typeDecl reads a type declaration whose keyword is at kw.
func (p *javaScan) typeDecl(kw, end int, top bool) int {
	kind, name, _ := p.typeKeyword(kw)
	open := name + 1
	for open < end && !p.is(open, "{") && !p.is(open, ";") {
		if p.is(open, "(") || p.is(open, "[") {
			open = p.close(open, end)
		}
		open++
	}
	if open >= end || !p.is(open, "{") {
		return open + 1
	}
	c := p.close(open, end)
	idx := len(p.unit.types)
	p.unit.types = append(p.unit.types, javaType{name: p.text(name), kind: kind, top: top,
		open: p.toks[open].s, end: p.toks[min(c, len(p.toks)-1)].s})
	p.members(open+1, c, idx, kind == "enum")
	return c + 1
}

// enumConstants reads an enum's constants — `A`, `B(args)`, `C { body }`
// — up to the `;` that starts its other members.
func (p *javaScan) enumConstants(i, end int) int {
	for i < end {
		i = p.skipAnnotations(i, end)
		if !p.word(i) {
			break
		}
		i++
		if p.is(i, "(") {
			c := p.close(i, end)
			p.code(i+1, c, -1)
			i = c + 1
		}
		if p.is(i, "{") {
			c := p.close(i, end)
			p.members(i+1, c, anonymous, false)
			i = c + 1
		}
		if !p.is(i, ",") {
			break
		}
		i++
	}
	if p.is(i, ";") {
		i++
	}
	return i
}
