package template

import "strings"

// pyAssign is an assignment statement with one target list: `t = v` or
// `t: T = v` (chains `a = b = v` and augmented ones are not listed).
type pyAssign struct {
	target, value string // source text of each side
	start, end    int    // the target's first byte to the value's end (a trailing comment is not in it)
	valueStart    int
	// getRecv is the receiver's source text when the value is a call of
	// its `get` attribute — `cache.get(k)`, `self._d.get(k, None)` —
	// and "" for any other value (`f(c.get(k))`, `c.get(k) or []`).
	getRecv string
}

// pySort is a call `chain.sort(...)` on a chain of names (`xs`,
// `self.entries`); sorts on anything else (`f().sort()`, `a[0].sort()`)
// are not listed.
type pySort struct {
	chain      string // the names joined with dots
	start, end int    // the call, chain to closing parenthesis
	args       string // the arguments' source text
	stmt       bool   // the call is a whole statement: its value is unused
}

// pyKeywords are Python's reserved words; True, False and None are
// values as well.
var pyKeywords = map[string]bool{"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true,
	"async": true, "await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true, "import": true,
	"in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true, "pass": true, "raise": true,
	"return": true, "try": true, "while": true, "with": true, "yield": true}

// isName reports whether t is a name that can hold a value.
func (p *pyScan) isName(t ptok) bool { return t.kind == 'w' && !pyKeywords[p.text(t)] }

// assigns lists the assignment statements in source order.
func (p *pyScan) assigns() []pyAssign {
	var out []pyAssign
	for _, pc := range p.pieces {
		if pc.kind != "" || p.typeAlias(pc.toks) {
			continue
		}
		eqs, colon, aug := p.assignOps(pc.toks, pc.match)
		if len(eqs) != 1 || aug >= 0 || eqs[0] == len(pc.toks)-1 {
			continue
		}
		left := eqs[0]
		if colon >= 0 && colon < left {
			left = colon
		}
		if left == 0 {
			continue
		}
		toks, v := pc.toks, pc.toks[eqs[0]+1:]
		a := pyAssign{target: p.src[toks[0].s:toks[left-1].e], start: toks[0].s, valueStart: v[0].s, end: v[len(v)-1].e}
		a.value = p.src[a.valueStart:a.end]
		a.getRecv = p.getRecv(v, shiftMatch(pc.match[eqs[0]+1:], eqs[0]+1))
		out = append(out, a)
	}
	return out
}

// typeAlias reports a `type X = ...` statement (Python 3.12): `type` is
// a soft keyword there, and the statement declares, not assigns.
func (p *pyScan) typeAlias(toks []ptok) bool {
	return len(toks) > 2 && p.text(toks[0]) == "type" && p.isName(toks[1])
}

// assignOps finds a simple statement's `=` signs at bracket depth 0
// (not a lambda's defaults), its annotation colon and its augmented
// operator; -1 where there is none.
func (p *pyScan) assignOps(toks []ptok, match []int) (eqs []int, colon, aug int) {
	colon, aug = -1, -1
	lambdas := 0
	for j := 0; j < len(toks); j++ {
		switch t := p.text(toks[j]); {
		case match[j] > j:
			j = match[j]
		case t == "lambda":
			lambdas++
		case t == ":" && lambdas > 0:
			lambdas--
		case t == ":" && colon < 0:
			colon = j
		case t == "=" && lambdas == 0:
			eqs = append(eqs, j)
		case toks[j].kind == 'p' && len(t) >= 2 && strings.HasSuffix(t, "=") && !strings.Contains("== != <= >= :=", t) && aug < 0:
			aug = j
		}
	}
	return eqs, colon, aug
}

// getRecv is the receiver of a value that is one call `recv.get(...)`.
func (p *pyScan) getRecv(v []ptok, match []int) string {
	last := len(v) - 1
	open := match[last]
	if p.text(v[last]) != ")" || open < 3 || p.text(v[open-1]) != "get" || p.text(v[open-2]) != "." || !p.primary(v[:open-2], match[:open-2]) {
		return ""
	}
	return p.src[v[0].s:v[open-3].e]
}

// primary reports whether toks are one primary expression: an atom (a
// name, a literal, a bracketed group) followed by attributes, calls and
// subscripts only — no operator or keyword at depth 0.
func (p *pyScan) primary(toks []ptok, match []int) bool {
	atom := false
	for j := 0; j < len(toks); j++ {
		t := p.text(toks[j])
		switch {
		case match[j] > j && (t == "(" || t == "[" || t == "{"):
			if atom && t == "{" {
				return false
			}
			j, atom = match[j], true
		case t == "." && atom && j+1 < len(toks) && toks[j+1].kind == 'w':
			j++
		case toks[j].kind == 's' && (!atom || toks[j-1].kind == 's'):
			atom = true
		case (p.isName(toks[j]) || toks[j].kind == 'n' || t == "True" || t == "False" || t == "None") && !atom:
			atom = true
		default:
			return false
		}
	}
	return atom
}

// sorts lists the `.sort(` calls on chains of names in source order,
// in f-string fields too.
func (p *pyScan) sorts() []pySort {
	var out []pySort
	for _, pc := range p.pieces {
		p.sortsIn(pc.toks, pc.match, pc.kind == "", &out)
	}
	return out
}

func (p *pyScan) sortsIn(toks []ptok, match []int, simple bool, out *[]pySort) {
	for j, t := range toks {
		for _, f := range t.fields {
			p.sortsIn(f, pyMatch(p.src, f), false, out)
		}
		if p.text(t) != "sort" || j < 2 || p.text(toks[j-1]) != "." || j+1 >= len(toks) || p.text(toks[j+1]) != "(" || match[j+1] < 0 {
			continue
		}
		k := j - 2
		if !p.isName(toks[k]) {
			continue
		}
		for k >= 2 && p.text(toks[k-1]) == "." && p.isName(toks[k-2]) {
			k -= 2
		}
		if k >= 1 && p.text(toks[k-1]) == "." {
			continue // the chain goes on through a call or subscript
		}
		var names []string
		for i := k; i < j; i += 2 {
			names = append(names, p.text(toks[i]))
		}
		c := match[j+1]
		*out = append(*out, pySort{chain: strings.Join(names, "."), start: toks[k].s, end: toks[c].e,
			args: p.src[toks[j+1].e:toks[c].s], stmt: simple && k == 0 && c == len(toks)-1})
	}
}
