package query

import (
	"strings"
)

func writeArgs(b *strings.Builder, args []*Arg) {
	b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		if a.Name != "" {
			b.WriteString(a.Name)
			b.WriteByte('=')
		}
		writeExpr(b, a.Value, 0)
	}
	b.WriteByte(')')
}

// Precedence levels of the printer, loosest first.
const (
	precOr = 1 + iota
	precAnd
	precNot
	precCmp
	precOperand
)

func precedence(e Expr) int {
	switch e := e.(type) {
	case *BinaryExpr:
		switch e.Op {
		case "||":
			return precOr
		case "&&":
			return precAnd
		}
		return precCmp
	case *UnaryExpr:
		if e.Op == "!" {
			return precNot
		}
	}
	return precOperand
}

// ExprString formats an expression as query text.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, 0)
	return b.String()
}

// writeExpr writes e, in parentheses when its precedence is below min.
func writeExpr(b *strings.Builder, e Expr, min int) {
	if precedence(e) < min {
		b.WriteByte('(')
		defer b.WriteByte(')')
	}
	switch e := e.(type) {
	case *StringLit:
		writeString(b, e.Value)
	case *NumberLit:
		b.WriteString(e.Text)
	case *DurationLit:
		b.WriteString(e.Text)
	case *BoolLit:
		if e.Value {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case *ListLit:
		b.WriteByte('[')
		for i, x := range e.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			writeExpr(b, x, 0)
		}
		b.WriteByte(']')
	case *Ref:
		b.WriteString(strings.Join(e.Path, "."))
	case *CallExpr:
		if e.Recv != nil {
			writeExpr(b, e.Recv, precOperand)
			b.WriteByte('.')
		}
		b.WriteString(e.Name)
		writeArgs(b, e.Args)
	case *UnaryExpr:
		b.WriteString(e.Op)
		writeExpr(b, e.X, precNot)
	case *BinaryExpr:
		p := precedence(e)
		if p == precCmp {
			writeExpr(b, e.X, precOperand)
			b.WriteString(" " + e.Op + " ")
			writeExpr(b, e.Y, precOperand)
			return
		}
		// Left-associative: a right operand of the same level keeps its
		// parentheses.
		writeExpr(b, e.X, p)
		b.WriteString(" " + e.Op + " ")
		writeExpr(b, e.Y, p+1)
	}
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
}
