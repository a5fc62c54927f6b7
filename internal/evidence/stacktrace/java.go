package stacktrace

import "strings"

// javaLookahead bounds how many lines of a multi-line exception message
// are read before giving up on finding the frames below it.
const javaLookahead = 64

// parseJava reads Throwable.printStackTrace output. The first exception
// printed is the outermost; "Caused by:" sections follow it at the same
// indentation and "Suppressed:" sections are indented one level deeper
// than the exception that holds them.
func parseJava(ls []string) *Trace {
	first := firstFrameLine(ls, 0, isJavaAt)
	if first < 0 {
		return nil
	}
	start := headerAbove(ls, first, javaHeader)
	if start < 0 {
		start = first
	}
	p := &javaParser{ls: ls, i: start}
	ind, _ := indentOf(ls[start])
	return p.chain(ind, 0, nil)
}

type javaParser struct {
	ls  []string
	i   int
	lim limits
}

// chain reads an exception and the "Caused by:" sections that belong to
// it: those at its own indentation, or any shallower one at the top
// level, where logs may have indented the first header.
func (p *javaParser) chain(indent, depth int, enclosing *Trace) *Trace {
	t := p.block(indent, depth, enclosing)
	cur, n := t, 1
	for p.i < len(p.ls) {
		ind, rest := indentOf(p.ls[p.i])
		if !strings.HasPrefix(rest, "Caused by: ") || ind > indent || (ind < indent && depth > 0) {
			break
		}
		c := p.block(ind, depth, cur)
		if n < MaxCauseDepth {
			cur.Cause, cur = c, c
		}
		n++
	}
	return t
}

// block reads one exception: header, message lines, frames, and any
// nested suppressed exceptions.
func (p *javaParser) block(indent, depth int, enclosing *Trace) *Trace {
	t := &Trace{Lang: LangJava}
	if _, ok := javaFrame(p.ls[p.i]); !ok && !isJavaMore(p.ls[p.i]) {
		p.header(t)
	}
	for p.i < len(p.ls) {
		l := p.ls[p.i]
		if f, ok := javaFrame(l); ok {
			p.lim.add(t, f)
		} else if n, ok := javaMore(l); ok {
			p.reconstruct(t, enclosing, n)
		} else {
			break
		}
		p.i++
	}
	p.nested(t, indent, depth)
	return t
}

// header reads the header line at p.i and the message lines after it.
func (p *javaParser) header(t *Trace) {
	_, rest := indentOf(p.ls[p.i])
	rest = stripJavaPrefix(rest)
	typ, msg, ok := splitHeader(rest)
	if !ok {
		typ, msg = "", rest
	}
	t.Type = typ
	p.i++
	end := p.i
	for end < len(p.ls) && end-p.i < javaLookahead && !javaSectionStart(p.ls[end]) {
		end++
	}
	if end < len(p.ls) && javaSectionStart(p.ls[end]) {
		t.Message = joinMessage(msg, p.ls[p.i:end])
		p.i = end
	} else {
		t.Message = clip(msg)
	}
}

// nested reads suppressed exceptions (and stray deeper sections) below
// t. Past MaxCauseDepth their lines are skipped, not parsed.
func (p *javaParser) nested(t *Trace, indent, depth int) {
	for p.i < len(p.ls) {
		ind, rest := indentOf(p.ls[p.i])
		suppressed := strings.HasPrefix(rest, "Suppressed: ")
		if ind <= indent || !(suppressed || strings.HasPrefix(rest, "Caused by: ")) {
			return
		}
		if depth+1 >= MaxCauseDepth {
			p.skipDeeper(indent)
			t.Truncated = true
			return
		}
		s := p.chain(ind, depth+1, t)
		if suppressed && len(t.Suppressed) < maxSuppressed {
			t.Suppressed = append(t.Suppressed, s)
		}
	}
}

func (p *javaParser) skipDeeper(indent int) {
	for p.i < len(p.ls) {
		ind, rest := indentOf(p.ls[p.i])
		if ind <= indent || rest == "" {
			return
		}
		p.i++
	}
}

// reconstruct expands "... N more": the N frames omitted are the last N
// of the enclosing exception, which Java leaves out because they repeat.
func (p *javaParser) reconstruct(t, enclosing *Trace, n int) {
	if enclosing == nil || n > len(enclosing.Frames) {
		t.Truncated = true
		if enclosing == nil {
			return
		}
		n = len(enclosing.Frames)
	}
	for _, f := range enclosing.Frames[len(enclosing.Frames)-n:] {
		if p.lim.full() || len(t.Frames) >= MaxFrames {
			t.Truncated = true
			return
		}
		p.lim.add(t, f)
	}
}

// javaSectionStart reports whether l ends a multi-line message.
func javaSectionStart(l string) bool {
	if isJavaAt(l) || isJavaMore(l) {
		return true
	}
	_, rest := indentOf(l)
	return strings.HasPrefix(rest, "Caused by: ") || strings.HasPrefix(rest, "Suppressed: ")
}

// stripJavaPrefix removes what Java and logs put before the exception
// type in a header.
func stripJavaPrefix(l string) string {
	for _, p := range []string{"Caused by: ", "Suppressed: "} {
		if rest, ok := strings.CutPrefix(l, p); ok {
			return rest
		}
	}
	if rest, ok := strings.CutPrefix(l, `Exception in thread "`); ok {
		if i := strings.Index(rest, `" `); i >= 0 {
			return rest[i+2:]
		}
	}
	return l
}

// javaHeader accepts a line as the header of the first exception.
func javaHeader(l string) bool {
	_, rest := indentOf(l)
	typ, _, ok := splitHeader(stripJavaPrefix(rest))
	return ok && looksLikeExceptionType(typ)
}

func isJavaAt(l string) bool {
	_, ok := javaFrame(l)
	return ok
}

func isJavaMore(l string) bool {
	_, ok := javaMore(l)
	return ok
}

// javaMore reads "... 12 more" and logback's "... 12 common frames
// omitted".
func javaMore(l string) (int, bool) {
	_, rest := indentOf(l)
	rest, ok := strings.CutPrefix(rest, "... ")
	if !ok {
		return 0, false
	}
	num, tail, _ := strings.Cut(rest, " ")
	if tail != "more" && tail != "common frames omitted" {
		return 0, false
	}
	return atoi(num)
}
