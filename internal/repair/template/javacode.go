package template

// code reads statements and expressions, tokens [i, end), running while
// the monitor of synchronized statement held (or none, -1) is held. It
// descends where that changes: into a synchronized body, and out of the
// monitor's reach into lambda bodies, anonymous classes and local types.
func (p *javaScan) code(i, end, held int) {
	caseLabel := false // inside `case ...` / `default`, whose `->` is no lambda
	for ; i < end; i++ {
		if _, _, ok := p.typeKeyword(i); ok {
			i = p.typeDecl(i, end, false) - 1
			continue
		}
		switch {
		case p.is(i, "synchronized") && p.is(i+1, "("):
			i = p.synchronized(i, end, held)
		case p.is(i, "case") || p.is(i, "default"):
			caseLabel = true
		case p.is(i, ":") || p.is(i, ";"):
			caseLabel = false
		case p.is(i, "->") && caseLabel:
			caseLabel = false // a switch rule: its block runs here and now
		case p.is(i, "->") && p.is(i+1, "{"):
			c := p.close(i+1, end)
			p.code(i+2, c, -1)
			i = c
		case p.is(i, "new"):
			i = p.creation(i, end, held)
		}
	}
}

// synchronized records the statement whose keyword is at i and reads
// its lock expression and body; it returns the body's last token.
func (p *javaScan) synchronized(i, end, held int) int {
	cp := p.close(i+1, end)
	if cp >= end || !p.is(cp+1, "{") {
		return i
	}
	c := p.close(cp+1, end)
	idx := len(p.syncs)
	p.syncs = append(p.syncs, javaSync{
		lock:  javaCanon(p.src, p.toks[i+1].e, p.toks[cp].s),
		start: p.toks[i].s,
		open:  p.toks[cp+1].s,
		end:   p.toks[min(c, len(p.toks)-1)].s,
		outer: held,
	})
	p.code(i+2, cp, held) // the lock is evaluated before it is taken
	p.code(cp+2, c, idx)
	return c
}

// creation reads `new T(args)`; when a class body follows, the body is
// an anonymous class and is read as one. Otherwise (plain constructor
// calls, array creations) it returns i and the caller reads on.
func (p *javaScan) creation(i, end, held int) int {
	k, angle := i+1, 0 // inside type arguments a `[` is an array type, not an array creation
	for k < end && !p.is(k, "(") && !(angle == 0 && p.is(k, "[")) && !p.is(k, "{") && !p.is(k, ";") {
		switch {
		case p.is(k, "@"):
			k = p.skipAnnotations(k, end)
			continue
		case p.is(k, "<"):
			angle++
		case p.is(k, ">"):
			angle--
		case p.is(k, "[") && p.match[k] > k:
			k = p.match[k]
		}
		k++
	}
	if !p.is(k, "(") {
		return i
	}
	cp := p.close(k, end)
	if !p.is(cp+1, "{") {
		return i
	}
	p.code(k+1, cp, held)
	c := p.close(cp+1, end)
	p.members(cp+2, c, anonymous, false)
	return c
}
