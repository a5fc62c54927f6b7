package query

import (
	"errors"
	"slices"
	"time"

	"github.com/tagdebug/tag/epg"
)

// DefaultMaxNodes bounds the nodes a walk or a selection yields when
// neither the query (max=) nor the [Env] says otherwise, so that output
// stays readable; what it leaves out is counted in [Cut].
const DefaultMaxNodes = 10000

// Env is where queries are evaluated: the operations available beyond
// the built-in ones, and bounds. The zero Env is ready to use; once set
// up, an Env may evaluate queries from several goroutines if its
// Functions may.
type Env struct {
	// Functions implements source operations by name ("critical_path",
	// "diff", "locks.at"). An entry replaces a built-in of the same name,
	// so analyses can be wired in by the caller without this package
	// importing them.
	Functions map[string]Func
	// MaxNodes bounds walks and selections; 0 means DefaultMaxNodes.
	MaxNodes int
}

// Func evaluates a source operation. It reads its arguments through ctx,
// reports bad ones with ctx.Errorf (so that the error points into the
// query), and returns the nodes and edges it selects. Other errors are
// reported at the operation's position.
type Func func(ctx *Context) (*Set, error)

// Set is what an operation yields: nodes and edges of the graph, by
// index, in a deterministic order.
type Set struct {
	Nodes []int32
	// Depth is nil, or holds each node's distance from the start of the
	// walk that found it.
	Depth []int32
	Edges []int32
	// Starts and Stops name nodes where a walk started and stopped; they
	// are marked so in the result.
	Starts, Stops []int32
	// Cut counts what bounds and filters left out.
	Cut Cut
	// Data is extra output of the operation (a critical path's segments,
	// a diff's findings), passed through to [Result.Data].
	Data any
}

// Cut counts nodes left out of a result, by reason.
type Cut struct {
	// Depth: beyond the walk's depth= bound.
	Depth int `json:"depth,omitempty"`
	// Limit: over max= or the environment's bound while walking or
	// selecting, or dropped by limit(n).
	Limit int `json:"limit,omitempty"`
	// Filtered: refused by through().
	Filtered int `json:"filtered,omitempty"`
	// Where: dropped by where().
	Where int `json:"where,omitempty"`
	// Project: of kinds project() did not ask for.
	Project int `json:"project,omitempty"`
}

// Context gives a [Func] the graph and its call.
type Context struct {
	Graph *epg.Graph
	// Op is the operation being evaluated, with its arguments.
	Op  *Op
	Env *Env
	c   *compiler
}

// Arg returns the argument called name or, failing that, the positional
// argument at index (ignored when negative); nil when there is neither.
// The readers below (String, Int, Nodes, ...) report a nil argument as
// missing.
func (ctx *Context) Arg(name string, index int) *Arg {
	for _, a := range ctx.Op.Args {
		if a.Name == name && name != "" {
			return a
		}
	}
	n := 0
	for _, a := range ctx.Op.Args {
		if a.Name == "" {
			if n == index {
				return a
			}
			n++
		}
	}
	return nil
}

// Check reports an error for an argument the operation does not take:
// names lists, in order, the names of its parameters, positional
// arguments filling them from the first.
func (ctx *Context) Check(names ...string) error {
	pos := 0
	for _, a := range ctx.Op.Args {
		if a.Name == "" {
			if pos >= len(names) {
				return ctx.Errorf(a.Pos, "%s takes at most %d argument(s): %s", ctx.Op.Name, len(names), paramList(names))
			}
			pos++
			continue
		}
		i := slices.Index(names, a.Name)
		if i < 0 {
			return ctx.Errorf(a.Pos, "%s has no argument %s= (it takes %s)", ctx.Op.Name, a.Name, paramList(names))
		}
		if i < pos {
			return ctx.Errorf(a.Pos, "argument %s= given twice", a.Name)
		}
	}
	return nil
}

func paramList(names []string) string {
	if len(names) == 0 {
		return "no arguments"
	}
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n + "="
	}
	return s
}

// missing is the error for an absent argument (Arg returned nil).
func (ctx *Context) missing() error {
	return ctx.Errorf(ctx.Op.Rparen, "%s is missing an argument", ctx.Op.Name)
}

// Errorf returns an *Error at byte offset pos of the query.
func (ctx *Context) Errorf(pos int, format string, args ...any) error {
	return newError(ctx.c.src, pos, nil, format, args...)
}

// String reads a as a quoted string.
func (ctx *Context) String(a *Arg) (string, error) {
	if a == nil {
		return "", ctx.missing()
	}
	if lit, ok := a.Value.(*StringLit); ok {
		return lit.Value, nil
	}
	return "", ctx.Errorf(a.Value.Offset(), "%s expects a quoted string here", ctx.Op.Name)
}

// Strings reads a as a list of quoted strings (or bare names), or a
// single one.
func (ctx *Context) Strings(a *Arg) ([]string, error) {
	if a == nil {
		return nil, ctx.missing()
	}
	elems := []Expr{a.Value}
	if l, ok := a.Value.(*ListLit); ok {
		elems = l.Elems
	}
	var out []string
	for _, e := range elems {
		switch e := e.(type) {
		case *StringLit:
			out = append(out, e.Value)
		case *Ref:
			if len(e.Path) == 1 {
				out = append(out, e.Path[0])
				continue
			}
			return nil, ctx.Errorf(e.Pos, "expected a quoted string or a name in the list")
		default:
			return nil, ctx.Errorf(e.Offset(), "expected a quoted string or a name in the list")
		}
	}
	return out, nil
}

// maxInt bounds the whole numbers a query may give (depth=, max=,
// limit()).
const maxInt = 1 << 31

// Int reads a as a whole number of at least min.
func (ctx *Context) Int(a *Arg, min int) (int, error) {
	if a == nil {
		return 0, ctx.missing()
	}
	lit, ok := a.Value.(*NumberLit)
	if !ok || lit.Value > maxInt || lit.Value < -maxInt || lit.Value != float64(int(lit.Value)) {
		return 0, ctx.Errorf(a.Value.Offset(), "%s expects a whole number here", ctx.Op.Name)
	}
	if int(lit.Value) < min {
		return 0, ctx.Errorf(a.Value.Offset(), "%s expects a number of at least %d here", ctx.Op.Name, min)
	}
	return int(lit.Value), nil
}

// Time reads a as a point in time, in Unix nanoseconds: a number (Unix
// ns), an RFC 3339 string, or a duration counted from the graph's
// earliest timestamp.
func (ctx *Context) Time(a *Arg) (int64, error) {
	if a == nil {
		return 0, ctx.missing()
	}
	switch v := a.Value.(type) {
	case *NumberLit:
		return int64(v.Value), nil
	case *StringLit:
		t, err := time.Parse(time.RFC3339Nano, v.Value)
		if err != nil {
			return 0, ctx.Errorf(v.Pos, "expected an RFC 3339 time such as '2026-01-02T15:04:05Z'")
		}
		return t.UnixNano(), nil
	case *DurationLit:
		return earliest(ctx.Graph) + int64(v.Value), nil
	}
	return 0, ctx.Errorf(a.Value.Offset(), "expected a time: Unix nanoseconds, an RFC 3339 string, or a duration from the graph's start")
}

// earliest returns the graph's first timestamp, or 0.
func earliest(g *epg.Graph) int64 {
	var t int64
	g.Nodes(epg.KindUnspecified, func(_ int32, n *epg.Node) bool {
		if n.Start > 0 && (t == 0 || n.Start < t) {
			t = n.Start
		}
		return true
	})
	return t
}

// Predicate compiles a as a condition on nodes.
func (ctx *Context) Predicate(a *Arg) (func(n *epg.Node) bool, error) {
	if a == nil {
		return nil, ctx.missing()
	}
	f, err := ctx.c.predicate(a.Value)
	if err != nil {
		return nil, err
	}
	return func(n *epg.Node) bool { return f(&subject{n: n, depth: -1}) }, nil
}

// Nodes resolves a as a selection of nodes: a quoted node ID, a selector
// such as event('X'), a condition, or a list of these. It is an error
// (wrapping [ErrNoMatch]) for the selection to be empty.
func (ctx *Context) Nodes(a *Arg) ([]int32, error) {
	if a == nil {
		return nil, ctx.missing()
	}
	out, err := resolveNodes(ctx.Graph, ctx.c, a.Value)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, newError(ctx.c.src, a.Value.Offset(), ErrNoMatch, "%s matches no node", ExprString(a.Value))
	}
	return out, nil
}

// MaxNodes returns the bound on the nodes an operation yields.
func (ctx *Context) MaxNodes() int {
	if ctx.Env != nil && ctx.Env.MaxNodes > 0 {
		return ctx.Env.MaxNodes
	}
	return DefaultMaxNodes
}

// Induced returns, in index order, the edges of g between nodes of the
// set.
func Induced(g *epg.Graph, nodes []int32) []int32 {
	in := make(map[int32]bool, len(nodes))
	for _, n := range nodes {
		in[n] = true
	}
	var out []int32
	for _, n := range nodes {
		for _, e := range g.Out(n) {
			if _, to := g.Ends(e); in[to] {
				out = append(out, e)
			}
		}
	}
	slices.Sort(out)
	return out
}

// asQueryError turns an error from a Func into an *Error at pos.
func asQueryError(src string, pos int, err error) error {
	var qe *Error
	if errors.As(err, &qe) {
		return err
	}
	return newError(src, pos, err, "%v", err)
}
