package query

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/slice"
)

// Run parses src and evaluates it against g. env may be nil.
func Run(g *epg.Graph, src string, env *Env) (*Result, error) {
	q, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return env.Eval(g, q)
}

// Eval evaluates q against g. Errors are *Error values pointing into the
// query. env may be nil.
func (env *Env) Eval(g *epg.Graph, q *Query) (*Result, error) {
	if env == nil {
		env = &Env{}
	}
	ev := &evaluator{g: g, env: env, c: &compiler{src: q.Src}, q: q}
	if len(q.Ops) == 0 {
		return nil, newError(q.Src, 0, nil, "empty query")
	}
	if err := ev.source(q.Ops[0]); err != nil {
		return nil, err
	}
	for _, op := range q.Ops[1:] {
		if err := ev.stage(op); err != nil {
			return nil, err
		}
	}
	if err := ev.flush(); err != nil {
		return nil, err
	}
	return ev.result(), nil
}

type evaluator struct {
	g   *epg.Graph
	env *Env
	c   *compiler
	q   *Query
	// op is the source operation's name.
	op string
	// walk is a walk still being configured by through and stop_when;
	// set holds the result once it ran, or a source's result.
	walk *walkSpec
	set  *Set
	proj *projection
	// walker is built on first use: preparing it costs time in the
	// size of the graph.
	walker *slice.Walker
}

func (ev *evaluator) ctx(op *Op) *Context {
	return &Context{Graph: ev.g, Op: op, Env: ev.env, c: ev.c}
}

func (ev *evaluator) errAt(pos int, format string, args ...any) error {
	return newError(ev.c.src, pos, nil, format, args...)
}

// sources are the built-in source operations; unavailable lists those
// that parse but need an analysis registered in Env.Functions.
var (
	sources = map[string]func(*evaluator, *Context) error{
		"slice.backward": (*evaluator).sliceOp,
		"slice.forward":  (*evaluator).sliceOp,
		"reachable":      (*evaluator).reachable,
		"nodes":          (*evaluator).nodes,
		"locks.at":       (*evaluator).locksAt,
	}
	unavailable = []string{"critical_path", "diff"}
	stages      = map[string]func(*evaluator, *Context) error{
		"through":   (*evaluator).through,
		"stop_when": (*evaluator).stopWhen,
		"where":     (*evaluator).where,
		"limit":     (*evaluator).limit,
		"project":   (*evaluator).project,
	}
)

// SourceNames lists the operations that can start a query in env:
// built-in ones, registered ones and those that need registering.
func (env *Env) SourceNames() []string {
	names := append(sortedKeys(sources), unavailable...)
	if env != nil {
		for k := range env.Functions {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func (ev *evaluator) source(op *Op) error {
	ev.op = op.Name
	ctx := ev.ctx(op)
	if f, ok := ev.env.Functions[op.Name]; ok && f != nil {
		set, err := f(ctx)
		if err != nil {
			return asQueryError(ev.c.src, op.Pos, err)
		}
		if set == nil {
			set = &Set{}
		}
		ev.set = set
		return nil
	}
	if f, ok := sources[op.Name]; ok {
		return f(ev, ctx)
	}
	if slices.Contains(unavailable, op.Name) {
		return newError(ev.c.src, op.Pos, ErrUnavailable, "%s() is not available here: no analysis is registered for it", op.Name)
	}
	if _, ok := stages[op.Name]; ok {
		return ev.errAt(op.Pos, "%s refines a result: start with a source such as slice.backward(from=...) or nodes()", op.Name)
	}
	return ev.errAt(op.Pos, "unknown operation %s (sources: %s)", op.Name, strings.Join(ev.env.SourceNames(), ", "))
}

func (ev *evaluator) stage(op *Op) error {
	f, ok := stages[op.Name]
	if !ok {
		if _, src := sources[op.Name]; src || slices.Contains(unavailable, op.Name) || ev.env.Functions[op.Name] != nil {
			return ev.errAt(op.Pos, "%s is a source: it can only start a query", op.Name)
		}
		return ev.errAt(op.Pos, "unknown operation .%s (after a source: %s)", op.Name, strings.Join(sortedKeys(stages), ", "))
	}
	return f(ev, ev.ctx(op))
}

// flush runs a pending walk.
func (ev *evaluator) flush() error {
	if ev.walk == nil {
		return nil
	}
	w := ev.walk
	ev.walk = nil
	if ev.walker == nil {
		ev.walker = slice.NewWalker(ev.g)
	}
	res := ev.walker.Walk(w.starts, w.options(ev.g))
	set := &Set{Nodes: res.Nodes, Depth: res.Depth, Edges: res.Edges, Stops: res.Stops,
		Cut: Cut{Depth: res.Cut.Depth, Limit: res.Cut.Limit, Filtered: res.Cut.Filtered}}
	for i, d := range res.Depth {
		if d == 0 {
			set.Starts = append(set.Starts, res.Nodes[i])
		}
	}
	ev.set = set
	return nil
}

// resolveNodes evaluates a node selection (see Context.Nodes) in index
// order, without duplicates.
func resolveNodes(g *epg.Graph, c *compiler, e Expr) ([]int32, error) {
	switch e := e.(type) {
	case *StringLit:
		if i, ok := g.Lookup(e.Value); ok {
			return []int32{i}, nil
		}
		return nil, nil
	case *ListLit:
		var out []int32
		for _, x := range e.Elems {
			part, err := resolveNodes(g, c, x)
			if err != nil {
				return nil, err
			}
			out = append(out, part...)
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	case *CallExpr:
		// An exact node ID selects that node alone, without a scan.
		if k, ok := selectorKinds[e.Name]; ok && e.Recv == nil && len(e.Args) == 1 {
			if lit, ok := e.Args[0].Value.(*StringLit); ok {
				if i, ok := g.Lookup(lit.Value); ok && (k == epg.KindUnspecified || g.Node(i).Kind == k) {
					return []int32{i}, nil
				}
			}
		}
	}
	pred, err := c.predicate(e)
	if err != nil {
		return nil, err
	}
	var out []int32
	s := &subject{depth: -1}
	g.Nodes(epg.KindUnspecified, func(i int32, n *epg.Node) bool {
		s.n = n
		if pred(s) {
			out = append(out, i)
		}
		return true
	})
	return out, nil
}
