package query

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/slice"
)

// walkSpec is a walk as the source and its through/stop_when stages
// describe it.
type walkSpec struct {
	starts   []int32
	rules    []slice.Rule
	depth    int
	max      int
	kinds    slice.KindSet
	types    []string
	throughs []func(*subject) bool
	stops    []func(*subject) bool
}

func (w *walkSpec) options(g *epg.Graph) slice.Options {
	opts := slice.Options{Rules: w.rules, Kinds: w.kinds, MaxDepth: w.depth, MaxNodes: w.max}
	if len(w.types) > 0 || len(w.throughs) > 0 {
		s := &subject{depth: -1}
		opts.Through = func(i int32) bool {
			s.n = g.Node(i)
			if len(w.types) > 0 {
				if t := typeName(s.n); t != "" && !slices.ContainsFunc(w.types, func(want string) bool { return typeMatches(t, want) }) {
					return false
				}
			}
			for _, f := range w.throughs {
				if !f(s) {
					return false
				}
			}
			return true
		}
	}
	if len(w.stops) > 0 {
		s := &subject{depth: -1}
		opts.Stop = func(i int32) bool {
			s.n = g.Node(i)
			for _, f := range w.stops {
				if f(s) {
					return true
				}
			}
			return false
		}
	}
	return opts
}

// sliceOp is slice.backward(from=, edges=, depth=, max=) and
// slice.forward(...).
func (ev *evaluator) sliceOp(ctx *Context) error {
	forward := ctx.Op.Name == "slice.forward"
	w, err := ev.walkArgs(ctx, func(kinds []epg.EdgeKind) []slice.Rule {
		if forward {
			return slice.ForwardRules(kinds...)
		}
		return slice.BackwardRules(kinds...)
	})
	if err != nil {
		return err
	}
	ev.walk = w
	return nil
}

// reachable is reachable(from=, edges=, depth=, max=): what the start
// nodes lead to along ref and alloc edges (or the edges= given), forward.
func (ev *evaluator) reachable(ctx *Context) error {
	w, err := ev.walkArgs(ctx, func(kinds []epg.EdgeKind) []slice.Rule {
		if len(kinds) == 0 {
			kinds = []epg.EdgeKind{epg.EdgeRef, epg.EdgeAlloc}
		}
		rules := make([]slice.Rule, len(kinds))
		for i, k := range kinds {
			rules[i] = slice.Rule{Kind: k, Dir: epg.Forward}
		}
		return rules
	})
	if err != nil {
		return err
	}
	ev.walk = w
	return nil
}

func (ev *evaluator) walkArgs(ctx *Context, rules func([]epg.EdgeKind) []slice.Rule) (*walkSpec, error) {
	if err := ctx.Check("from", "edges", "depth", "max"); err != nil {
		return nil, err
	}
	from := ctx.Arg("from", 0)
	if from == nil {
		return nil, ctx.Errorf(ctx.Op.Rparen, "%s needs from=: where the walk starts, such as event('...')", ctx.Op.Name)
	}
	starts, err := ctx.Nodes(from)
	if err != nil {
		return nil, err
	}
	w := &walkSpec{starts: starts, max: ctx.MaxNodes()}
	var kinds []epg.EdgeKind
	if a := ctx.Arg("edges", -1); a != nil {
		if kinds, err = edgeKinds(ctx, a); err != nil {
			return nil, err
		}
	}
	w.rules = rules(kinds)
	if a := ctx.Arg("depth", -1); a != nil {
		if w.depth, err = ctx.Int(a, 1); err != nil {
			return nil, err
		}
	}
	if a := ctx.Arg("max", -1); a != nil {
		if w.max, err = ctx.Int(a, 0); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func edgeKinds(ctx *Context, a *Arg) ([]epg.EdgeKind, error) {
	names, err := ctx.Strings(a)
	if err != nil {
		return nil, err
	}
	elems := []Expr{a.Value}
	if l, ok := a.Value.(*ListLit); ok {
		elems = l.Elems
	}
	var out []epg.EdgeKind
	for i, name := range names {
		k, err := epg.ParseEdgeKind(name)
		if err != nil {
			return nil, ctx.Errorf(elems[i].Offset(), "unknown edge kind %q (known: %s)", name, edgeKindList())
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, ctx.Errorf(a.Value.Offset(), "edges= needs at least one edge kind")
	}
	return out, nil
}

func edgeKindList() string {
	var names []string
	for k := epg.EdgeCall; k <= epg.EdgeCorrelates; k++ {
		names = append(names, k.String())
	}
	return strings.Join(names, ", ")
}

func nodeKinds(ctx *Context, a *Arg) ([]epg.NodeKind, error) {
	names, err := ctx.Strings(a)
	if err != nil {
		return nil, err
	}
	elems := []Expr{a.Value}
	if l, ok := a.Value.(*ListLit); ok {
		elems = l.Elems
	}
	var out []epg.NodeKind
	for i, name := range names {
		k, ok := kindNames[name]
		if !ok {
			return nil, ctx.Errorf(elems[i].Offset(), "unknown node kind %q (known: %s)", name, strings.Join(sortedKeys(kindNames), ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// nodes is nodes([condition], kind=, max=): the nodes of the graph that
// are of the kinds and meet the condition, in graph order, with the
// edges between them.
func (ev *evaluator) nodes(ctx *Context) error {
	if err := ctx.Check("where", "kind", "max"); err != nil {
		return err
	}
	var kinds slice.KindSet
	if a := ctx.Arg("kind", -1); a != nil {
		ks, err := nodeKinds(ctx, a)
		if err != nil {
			return err
		}
		kinds = slice.Kinds(ks...)
	}
	var cond func(*subject) bool
	if a := ctx.Arg("where", 0); a != nil {
		var err error
		if cond, err = ev.c.predicate(a.Value); err != nil {
			return err
		}
	}
	limit := ctx.MaxNodes()
	if a := ctx.Arg("max", -1); a != nil {
		var err error
		if limit, err = ctx.Int(a, 0); err != nil {
			return err
		}
	}
	set := &Set{}
	s := &subject{depth: -1}
	ev.g.Nodes(epg.KindUnspecified, func(i int32, n *epg.Node) bool {
		if !kinds.Has(n.Kind) {
			return true
		}
		s.n = n
		if cond != nil && !cond(s) {
			return true
		}
		if limit > 0 && len(set.Nodes) >= limit {
			set.Cut.Limit++
		} else {
			set.Nodes = append(set.Nodes, i)
		}
		return true
	})
	set.Edges = Induced(ev.g, set.Nodes)
	ev.set = set
	return nil
}

// through restricts a walk: through(types=[...]), through(kinds=[...]),
// through(condition), in any combination; all must hold.
func (ev *evaluator) through(ctx *Context) error {
	if ev.walk == nil {
		return ev.notAfterWalk(ctx)
	}
	if err := ctx.Check("where", "types", "kinds"); err != nil {
		return err
	}
	if len(ctx.Op.Args) == 0 {
		return ctx.Errorf(ctx.Op.Rparen, "through needs types=[...], kinds=[...] or a condition")
	}
	if a := ctx.Arg("types", -1); a != nil {
		types, err := ctx.Strings(a)
		if err != nil {
			return err
		}
		ev.walk.types = append(ev.walk.types, types...)
	}
	if a := ctx.Arg("kinds", -1); a != nil {
		ks, err := nodeKinds(ctx, a)
		if err != nil {
			return err
		}
		set := slice.Kinds(ks...)
		if ev.walk.kinds != 0 {
			set &= ev.walk.kinds
			if set == 0 {
				set = slice.Kinds(epg.KindUnspecified) // nothing but starts and stops
			}
		}
		ev.walk.kinds = set
	}
	if a := ctx.Arg("where", 0); a != nil {
		f, err := ev.c.predicate(a.Value)
		if err != nil {
			return err
		}
		ev.walk.throughs = append(ev.walk.throughs, f)
	}
	return nil
}

func (ev *evaluator) notAfterWalk(ctx *Context) error {
	if ev.set != nil && (ev.op == "slice.backward" || ev.op == "slice.forward" || ev.op == "reachable") {
		return ctx.Errorf(ctx.Op.Pos, "%s shapes the walk: put it before where, limit and project", ctx.Op.Name)
	}
	return ctx.Errorf(ctx.Op.Pos, "%s applies to walks (slice.backward, slice.forward, reachable), not to %s", ctx.Op.Name, ev.op)
}

// stopWhen is stop_when(condition): the walk keeps a node that meets the
// condition but goes no further from it.
func (ev *evaluator) stopWhen(ctx *Context) error {
	if ev.walk == nil {
		return ev.notAfterWalk(ctx)
	}
	if err := ctx.Check("where"); err != nil {
		return err
	}
	a := ctx.Arg("where", 0)
	if a == nil {
		return ctx.Errorf(ctx.Op.Rparen, "stop_when needs a condition, such as frame.matches('Handler')")
	}
	f, err := ev.c.predicate(a.Value)
	if err != nil {
		return err
	}
	ev.walk.stops = append(ev.walk.stops, f)
	return nil
}

// where is where(condition): keep the nodes that meet it.
func (ev *evaluator) where(ctx *Context) error {
	if err := ctx.Check("where"); err != nil {
		return err
	}
	a := ctx.Arg("where", 0)
	if a == nil {
		return ctx.Errorf(ctx.Op.Rparen, "where needs a condition")
	}
	f, err := ev.c.predicate(a.Value)
	if err != nil {
		return err
	}
	if err := ev.flush(); err != nil {
		return err
	}
	s := &subject{}
	dropped := ev.set.keep(func(i int, n int32) bool {
		s.n, s.depth = ev.g.Node(n), ev.set.depthAt(i)
		return f(s)
	})
	ev.set.Cut.Where += dropped
	ev.set.Edges = keepEdges(ev.g, ev.set.Edges, ev.set.Nodes)
	return nil
}

// limit is limit(n): keep the first n nodes.
func (ev *evaluator) limit(ctx *Context) error {
	if err := ctx.Check("n"); err != nil {
		return err
	}
	a := ctx.Arg("n", 0)
	if a == nil {
		return ctx.Errorf(ctx.Op.Rparen, "limit needs a number")
	}
	n, err := ctx.Int(a, 0)
	if err != nil {
		return err
	}
	if err := ev.flush(); err != nil {
		return err
	}
	dropped := ev.set.keep(func(i int, _ int32) bool { return i < n })
	ev.set.Cut.Limit += dropped
	ev.set.Edges = keepEdges(ev.g, ev.set.Edges, ev.set.Nodes)
	return nil
}

func (s *Set) depthAt(i int) int32 {
	if s.Depth == nil {
		return -1
	}
	return s.Depth[i]
}

// keep keeps the nodes (and their depths) for which f holds, returning
// how many it dropped.
func (s *Set) keep(f func(i int, n int32) bool) int {
	nodes, depth := s.Nodes[:0:0], s.Depth[:0:0]
	for i, n := range s.Nodes {
		if f(i, n) {
			nodes = append(nodes, n)
			if s.Depth != nil {
				depth = append(depth, s.Depth[i])
			}
		}
	}
	dropped := len(s.Nodes) - len(nodes)
	s.Nodes = nodes
	if s.Depth != nil {
		s.Depth = depth
	}
	return dropped
}

// keepEdges returns the edges whose two ends are among nodes.
func keepEdges(g *epg.Graph, edges, nodes []int32) []int32 {
	in := make(map[int32]bool, len(nodes))
	for _, n := range nodes {
		in[n] = true
	}
	out := edges[:0:0]
	for _, e := range edges {
		if from, to := g.Ends(e); in[from] && in[to] {
			out = append(out, e)
		}
	}
	return out
}
