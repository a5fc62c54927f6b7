package query

import "time"

// Query is a parsed query: a pipeline of operations, the first producing
// nodes and edges (a source such as slice.backward or nodes), the rest
// refining them (through, stop_when, where, limit, project).
type Query struct {
	// Src is the query's text; positions are byte offsets into it.
	Src string
	Ops []*Op
}

// Op is one operation of the pipeline: a possibly dotted name and its
// arguments, as in slice.backward(from=event('X')).
type Op struct {
	Pos    int // the name's offset
	Name   string
	Args   []*Arg
	Rparen int // the closing parenthesis's offset
}

// Arg is an argument, positional (Name empty) or named (name=value).
type Arg struct {
	Pos   int // the offset of the name, or of the value when positional
	Name  string
	Value Expr
}

// Expr is an expression: a literal, a list, a reference to a node's field
// or attribute, a function or method call, or an operator applied to
// expressions.
type Expr interface {
	// Offset returns the expression's position in the query.
	Offset() int
}

// StringLit is a quoted string.
type StringLit struct {
	Pos   int
	Value string
}

// NumberLit is a number.
type NumberLit struct {
	Pos   int
	Value float64
	Text  string
}

// DurationLit is a number with a time unit, such as 2s or 150ms.
type DurationLit struct {
	Pos   int
	Value time.Duration
	Text  string
}

// BoolLit is true or false.
type BoolLit struct {
	Pos   int
	Value bool
}

// ListLit is a bracketed list of expressions.
type ListLit struct {
	Pos   int
	Elems []Expr
}

// Ref names a field or attribute of the node under test by a dotted path:
// name, span.service, http.route, event.type, or a bare node kind (frame)
// which tests the node's kind.
type Ref struct {
	Pos  int
	Path []string
}

// CallExpr is a function call (attr('k'), event('X')) or, with a
// receiver, a method call (frame.matches('re'), name.contains('x')).
type CallExpr struct {
	Pos     int  // the receiver's offset, or the name's without one
	Recv    Expr // nil for a function call
	Name    string
	NamePos int
	Args    []*Arg
	Rparen  int
}

// UnaryExpr is !X, the negation of X.
type UnaryExpr struct {
	Pos int
	Op  string
	X   Expr
}

// BinaryExpr is X op Y for a comparison (== != < <= > >= =~ !~ in) or a
// logical operator (&& ||).
type BinaryExpr struct {
	OpPos int
	Op    string
	X, Y  Expr
}

// Offset returns the literal's position.
func (e *StringLit) Offset() int { return e.Pos }

// Offset returns the literal's position.
func (e *NumberLit) Offset() int { return e.Pos }

// Offset returns the literal's position.
func (e *DurationLit) Offset() int { return e.Pos }

// Offset returns the literal's position.
func (e *BoolLit) Offset() int { return e.Pos }

// Offset returns the opening bracket's position.
func (e *ListLit) Offset() int { return e.Pos }

// Offset returns the path's position.
func (e *Ref) Offset() int { return e.Pos }

// Offset returns the call's position.
func (e *CallExpr) Offset() int { return e.Pos }

// Offset returns the operator's position.
func (e *UnaryExpr) Offset() int { return e.Pos }

// Offset returns the left operand's position.
func (e *BinaryExpr) Offset() int { return e.X.Offset() }
