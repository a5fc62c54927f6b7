package query

import "strings"

// maxNesting bounds how deeply expressions nest, so that a hostile query
// cannot exhaust the stack.
const maxNesting = 200

// Parse parses a query. Errors are *Error values pointing into src.
func Parse(src string) (*Query, error) {
	toks, lerr := lex(src)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{src: src, toks: toks}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(pos int, format string, args ...any) *Error {
	return newError(p.src, pos, nil, format, args...)
}

func (p *parser) expect(k tokKind, what string) (token, *Error) {
	t := p.next()
	if t.kind != k {
		return t, p.errAt(t.pos, "expected %s, found %s", what, t.describe())
	}
	return t, nil
}

// query = op { "." op } EOF .
func (p *parser) query() (*Query, *Error) {
	q := &Query{Src: p.src}
	if p.peek().kind == tEOF {
		return nil, p.errAt(p.peek().pos, "empty query: expected an operation such as slice.backward(from=...) or nodes(kind='frame')")
	}
	for {
		op, err := p.op()
		if err != nil {
			return nil, err
		}
		q.Ops = append(q.Ops, op)
		switch t := p.next(); t.kind {
		case tEOF:
			return q, nil
		case tDot:
		default:
			return nil, p.errAt(t.pos, "expected '.' and the next operation, or the end of the query; found %s", t.describe())
		}
	}
}

// op = ident { "." ident } "(" [ args ] ")" .
func (p *parser) op() (*Op, *Error) {
	t, err := p.expect(tIdent, "an operation name")
	if err != nil {
		return nil, err
	}
	op := &Op{Pos: t.pos, Name: t.text}
	for p.peek().kind == tDot {
		p.next()
		t, err := p.expect(tIdent, "a name after '.'")
		if err != nil {
			return nil, err
		}
		op.Name += "." + t.text
	}
	if t := p.peek(); t.kind != tLParen {
		return nil, p.errAt(t.pos, "expected '(' after %s, found %s", op.Name, t.describe())
	}
	p.next()
	if op.Args, op.Rparen, err = p.args(); err != nil {
		return nil, err
	}
	return op, nil
}

// args = [ arg { "," arg } [ "," ] ] ")" .
// arg  = [ ident "=" ] expr .
func (p *parser) args() ([]*Arg, int, *Error) {
	var args []*Arg
	named := map[string]bool{}
	for {
		if t := p.peek(); t.kind == tRParen {
			p.next()
			return args, t.pos, nil
		}
		a := &Arg{Pos: p.peek().pos}
		if p.peek().kind == tIdent && p.toks[p.i+1].kind == tAssign {
			name := p.next()
			p.next()
			if named[name.text] {
				return nil, 0, p.errAt(name.pos, "argument %s= given twice", name.text)
			}
			named[name.text] = true
			a.Name = name.text
		} else if len(named) > 0 {
			return nil, 0, p.errAt(a.Pos, "positional argument after a named one")
		}
		v, err := p.expr()
		if err != nil {
			return nil, 0, err
		}
		a.Value = v
		args = append(args, a)
		switch t := p.next(); t.kind {
		case tComma:
		case tRParen:
			return args, t.pos, nil
		default:
			return nil, 0, p.errAt(t.pos, "expected ',' or ')' after an argument, found %s", t.describe())
		}
	}
}

func (p *parser) nest(pos int) *Error {
	p.depth++
	if p.depth > maxNesting {
		return p.errAt(pos, "expression nested too deeply")
	}
	return nil
}

// expr = and { "||" and } .
func (p *parser) expr() (Expr, *Error) {
	if err := p.nest(p.peek().pos); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.and()
	for err == nil && p.peek().kind == tOr {
		t := p.next()
		var y Expr
		if y, err = p.and(); err == nil {
			x = &BinaryExpr{OpPos: t.pos, Op: "||", X: x, Y: y}
		}
	}
	return x, err
}

// and = not { "&&" not } .
func (p *parser) and() (Expr, *Error) {
	x, err := p.not()
	for err == nil && p.peek().kind == tAnd {
		t := p.next()
		var y Expr
		if y, err = p.not(); err == nil {
			x = &BinaryExpr{OpPos: t.pos, Op: "&&", X: x, Y: y}
		}
	}
	return x, err
}

// not = "!" not | cmp .
func (p *parser) not() (Expr, *Error) {
	if t := p.peek(); t.kind == tNot {
		p.next()
		if err := p.nest(t.pos); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		x, err := p.not()
		if err != nil {
			return nil, err
		}
		return &UnaryExpr{Pos: t.pos, Op: "!", X: x}, nil
	}
	return p.cmp()
}

var cmpOps = map[tokKind]string{tEq: "==", tNe: "!=", tLt: "<", tLe: "<=", tGt: ">", tGe: ">=", tMatch: "=~", tNMatch: "!~"}

// cmp = postfix [ ( relop | "in" ) postfix ] .
func (p *parser) cmp() (Expr, *Error) {
	x, err := p.postfix()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	op, ok := cmpOps[t.kind]
	if !ok && t.kind == tIdent && t.text == "in" {
		op, ok = "in", true
	}
	if !ok {
		return x, nil
	}
	p.next()
	y, err := p.postfix()
	if err != nil {
		return nil, err
	}
	if n := p.peek(); cmpOps[n.kind] != "" {
		return nil, p.errAt(n.pos, "comparisons do not chain: use && between them")
	}
	return &BinaryExpr{OpPos: t.pos, Op: op, X: x, Y: y}, nil
}

// postfix = primary { "." ident [ "(" [ args ] ")" ] } .
func (p *parser) postfix() (Expr, *Error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tDot {
		p.next()
		name, err := p.expect(tIdent, "a field or method name after '.'")
		if err != nil {
			return nil, err
		}
		if p.peek().kind == tLParen {
			p.next()
			args, rparen, err := p.args()
			if err != nil {
				return nil, err
			}
			x = &CallExpr{Pos: x.Offset(), Recv: x, Name: name.text, NamePos: name.pos, Args: args, Rparen: rparen}
			continue
		}
		r, ok := x.(*Ref)
		if !ok {
			return nil, p.errAt(name.pos, "a field (.%s) can only follow a name, not a call or a literal", name.text)
		}
		r.Path = append(r.Path, name.text)
	}
	return x, nil
}

// primary = string | number | duration | "true" | "false" | "-" ( number | duration )
//
//	| list | "(" expr ")" | ident [ "(" [ args ] ")" ] .
func (p *parser) primary() (Expr, *Error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &StringLit{Pos: t.pos, Value: t.str}, nil
	case tNumber:
		return &NumberLit{Pos: t.pos, Value: t.num, Text: t.text}, nil
	case tDuration:
		return &DurationLit{Pos: t.pos, Value: t.dur, Text: t.text}, nil
	case tMinus:
		switch n := p.next(); n.kind {
		case tNumber:
			return &NumberLit{Pos: t.pos, Value: -n.num, Text: "-" + n.text}, nil
		case tDuration:
			return &DurationLit{Pos: t.pos, Value: -n.dur, Text: "-" + n.text}, nil
		default:
			return nil, p.errAt(n.pos, "expected a number after '-', found %s", n.describe())
		}
	case tLBrack:
		return p.list(t)
	case tLParen:
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
		return x, nil
	case tIdent:
		switch t.text {
		case "true", "false":
			return &BoolLit{Pos: t.pos, Value: t.text == "true"}, nil
		}
		if p.peek().kind == tLParen {
			p.next()
			args, rparen, err := p.args()
			if err != nil {
				return nil, err
			}
			return &CallExpr{Pos: t.pos, Name: t.text, NamePos: t.pos, Args: args, Rparen: rparen}, nil
		}
		return &Ref{Pos: t.pos, Path: []string{t.text}}, nil
	}
	return nil, p.errAt(t.pos, "expected a value (a string, number, duration, list, name or call), found %s", t.describe())
}

// list = "[" [ expr { "," expr } [ "," ] ] "]" .
func (p *parser) list(open token) (Expr, *Error) {
	l := &ListLit{Pos: open.pos}
	for {
		if p.peek().kind == tRBrack {
			p.next()
			return l, nil
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		l.Elems = append(l.Elems, x)
		switch t := p.next(); t.kind {
		case tComma:
		case tRBrack:
			return l, nil
		default:
			return nil, p.errAt(t.pos, "expected ',' or ']' in a list, found %s", t.describe())
		}
	}
}

// String formats the query canonically; parsing the result gives the
// same query.
func (q *Query) String() string {
	var b strings.Builder
	for i, op := range q.Ops {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(op.Name)
		writeArgs(&b, op.Args)
	}
	return b.String()
}
