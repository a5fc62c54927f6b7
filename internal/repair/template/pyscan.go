package template

import "strings"

// The scanner's reading of Python: tokens (pytokens.go), logical lines,
// and each line cut into the statements the grammar would see — a
// compound statement's header up to its colon, the simple statements
// after it or on their own, separated by semicolons — so that a fact is
// always read from one statement's tokens.

// pyPiece is one statement as the scanner reads it.
type pyPiece struct {
	// kind is "" for a simple statement, "@" for a decorator, or the
	// header's keyword: def, class, for, with, except, if, while...
	// (`async def` is "def"; match and case count when the line ends
	// with their colon).
	kind  string
	toks  []ptok
	match []int // toks' bracket partners
	line  int   // the index of its logical line in pyScan.lines
}

// pyScan is one file's statements.
type pyScan struct {
	src    string
	lines  [][]ptok // logical lines, without their '\n'
	pieces []pyPiece
}

// pyHeaders are the keywords that open a compound statement.
var pyHeaders = map[string]bool{"if": true, "elif": true, "else": true, "while": true, "for": true, "try": true,
	"except": true, "finally": true, "with": true, "def": true, "class": true}

// scanPython reads src's statements; it never fails (source that does
// not parse still yields the statements the tokens suggest).
func scanPython(src string) *pyScan {
	p := &pyScan{src: src}
	var line []ptok
	for _, t := range pyTokens(src) {
		if t.kind != '\n' {
			line = append(line, t)
			continue
		}
		if len(line) > 0 {
			p.lines = append(p.lines, line)
			p.split(len(p.lines) - 1)
		}
		line = nil
	}
	return p
}

// pyMatch pairs a token list's brackets.
func pyMatch(src string, toks []ptok) []int {
	return pairBrackets(len(toks), func(i int) byte { return src[toks[i].s] }, func(i int) bool { return toks[i].kind == 'p' && toks[i].e-toks[i].s == 1 })
}

// split cuts logical line n into pieces.
func (p *pyScan) split(n int) {
	toks := p.lines[n]
	match := pyMatch(p.src, toks)
	add := func(kind string, a, b int) {
		if a < b {
			p.pieces = append(p.pieces, pyPiece{kind: kind, toks: toks[a:b], match: shiftMatch(match[a:b], a), line: n})
		}
	}
	if p.text(toks[0]) == "@" {
		add("@", 0, len(toks))
		return
	}
	for i := 0; i < len(toks); {
		if kind := p.header(toks, i); kind != "" {
			colon := p.headerColon(toks, match, i)
			add(kind, i, colon)
			i = colon + 1
			continue
		}
		j := i
		for ; j < len(toks) && p.text(toks[j]) != ";"; j++ {
			if match[j] > j {
				j = match[j]
			}
		}
		add("", i, j)
		i = j + 1
	}
}

// shiftMatch rebases partner indexes to a sub-slice starting at a; a
// partner outside it becomes -1.
func shiftMatch(m []int, a int) []int {
	out := make([]int, len(m))
	for i, v := range m {
		out[i] = v - a
		if v < a || v-a >= len(m) {
			out[i] = -1
		}
	}
	return out
}

func (p *pyScan) text(t ptok) string { return p.src[t.s:t.e] }

// header is the kind of compound statement starting at toks[i], or "".
func (p *pyScan) header(toks []ptok, i int) string {
	if toks[i].kind != 'w' {
		return ""
	}
	w := p.text(toks[i])
	if w == "async" && i+1 < len(toks) {
		w = p.text(toks[i+1])
	}
	switch {
	case pyHeaders[w]:
		return w
	case (w == "match" || w == "case") && i == 0 && len(toks) > 2 && p.text(toks[len(toks)-1]) == ":":
		return w // soft keywords: no simple statement ends with a colon
	}
	return ""
}

// headerColon is the index of the colon ending the header at i: the
// first at bracket depth 0 that is not a lambda's.
func (p *pyScan) headerColon(toks []ptok, match []int, i int) int {
	lambdas := 0
	for j := i + 1; j < len(toks); j++ {
		switch t := p.text(toks[j]); {
		case match[j] > j:
			j = match[j]
		case t == "lambda":
			lambdas++
		case t == ":" && lambdas > 0:
			lambdas--
		case t == ":":
			return j
		}
	}
	return len(toks)
}

// linesOf is the first and last line (1-based) of a piece's tokens.
func (p *pyScan) linesOf(toks []ptok) (int, int) {
	return lineOf(p.src, toks[0].s), lineOf(p.src, max(toks[len(toks)-1].e-1, toks[len(toks)-1].s))
}

// statementAt is the first simple statement covering line.
func (p *pyScan) statementAt(line int) (int, int, bool) {
	for _, pc := range p.pieces {
		if a, b := p.linesOf(pc.toks); pc.kind == "" && a <= line && line <= b {
			return a, b, true
		}
	}
	return 0, 0, false
}

// defAt is the innermost def whose header or body covers line.
func (p *pyScan) defAt(line int) (*pyFunc, bool) {
	var best *pyFunc
	for _, pc := range p.pieces {
		if pc.kind != "def" {
			continue
		}
		f := p.def(pc)
		if f != nil && f.def <= line && line <= f.end && (best == nil || f.def >= best.def) {
			best = f
		}
	}
	return best, best != nil
}

// def reads a def header piece and finds its body's last line: the last
// of the logical lines after it indented deeper than the def (blank and
// comment-only lines are no statements and do not end it).
func (p *pyScan) def(pc pyPiece) *pyFunc {
	toks := pc.toks
	k := 0
	if p.text(toks[0]) == "async" {
		k = 1
	}
	open := defParams(p, toks, pc.match, k)
	if open < 0 {
		return nil
	}
	f := &pyFunc{name: p.text(toks[k+1]), def: lineOf(p.src, toks[0].s), indent: toks[0].s - lineStart(p.src, toks[0].s)}
	f.params = p.params(toks, pc.match, open)
	line := p.lines[pc.line]
	_, f.end = p.linesOf(line)
	if p.inlineBody(pc) {
		return f
	}
	n, body := pc.line+1, -1
	for ; n < len(p.lines); n++ {
		l := p.lines[n]
		in := l[0].s - lineStart(p.src, l[0].s)
		if in <= f.indent {
			break
		}
		if body < 0 {
			body = in
		}
		_, f.end = p.linesOf(l)
	}
	if body >= 0 {
		f.end = p.trailingComments(f.end, n, body)
	}
	return f
}

// trailingComments extends a body that ends on line end over the
// comment lines after it indented at least as deep as the body (blank
// lines between do not matter; a shallower comment ends it), as the
// grammar's block does; next is the logical line after the body.
func (p *pyScan) trailingComments(end, next, body int) int {
	limit := len(p.src)
	if next < len(p.lines) {
		limit = lineStart(p.src, p.lines[next][0].s)
	}
	start, _ := lineSpan(p.src, end+1, end+1)
	for n, l := range strings.Split(p.src[min(start, limit):limit], "\n") {
		code := strings.TrimLeft(l, " \t")
		switch {
		case strings.TrimSpace(code) == "":
		case code[0] == '#' && len(l)-len(code) >= body:
			end = lineOf(p.src, start) + n
		default:
			return end
		}
	}
	return end
}

// inlineBody reports whether a header's body follows its colon on the
// same logical line (`def f(): return 1`).
func (p *pyScan) inlineBody(pc pyPiece) bool {
	line := p.lines[pc.line]
	last := pc.toks[len(pc.toks)-1].s
	for i, t := range line {
		if t.s == last {
			return i+2 < len(line)
		}
	}
	return false
}

// defParams is the index of the `(` opening the parameters of the def
// whose keyword is at toks[def], past type parameters (`def f[T](x)`,
// Python 3.12), or -1.
func defParams(p *pyScan, toks []ptok, match []int, def int) int {
	open := def + 2
	if open < len(toks) && p.text(toks[open]) == "[" && match[open] > open {
		open = match[open] + 1
	}
	if open >= len(toks) || toks[def+1].kind != 'w' || p.text(toks[open]) != "(" {
		return -1
	}
	return open
}

// params lists a parameter list's names, splats keeping their stars
// and a bare `*` or `/` as itself.
func (p *pyScan) params(toks []ptok, match []int, open int) []string {
	var out []string
	end := match[open]
	if end < 0 {
		end = len(toks)
	}
	start := true
	for j := open + 1; j < end; j++ {
		t := p.text(toks[j])
		switch {
		case match[j] > j:
			j = match[j]
		case t == ",":
			start = true
			continue
		case start && (t == "*" || t == "**") && j+1 < end && toks[j+1].kind == 'w':
			out = append(out, t+p.text(toks[j+1]))
			j++
		case start && (t == "*" || t == "/" || toks[j].kind == 'w'):
			out = append(out, t)
		}
		start = false
	}
	return out
}
