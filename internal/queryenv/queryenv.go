// Package queryenv wires TAG's analyses into the slice query language, so
// `tag query` can answer critical_path(), diff(baseline=...) and
// lock_cycles() with the analysis packages while package query stays
// free of them.
package queryenv

import (
	"errors"
	"fmt"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/critpath"
	"github.com/tagdebug/tag/internal/analysis/diff"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	"github.com/tagdebug/tag/internal/analysis/lockgraph"
	"github.com/tagdebug/tag/query"
)

// Baseline returns graphs holding healthy traces to compare against
// (for example every stored trace of the incident's endpoint).
type Baseline func() ([]*epg.Graph, error)

// New returns an environment with the analyses registered. baseline may
// be nil, in which case diff() compares against the healthy traces of the
// queried graph itself.
func New(baseline Baseline) *query.Env {
	return &query.Env{Functions: map[string]query.Func{
		"critical_path": criticalPath,
		"diff":          func(ctx *query.Context) (*query.Set, error) { return diffOp(ctx, baseline) },
		"lock_cycles":   lockCycles,
	}}
}

// criticalPath: critical_path([root]) — the spans on the critical path of
// the trace rooted at root (default: the earliest root span), with the
// path's segments as data.
func criticalPath(ctx *query.Context) (*query.Set, error) {
	if err := ctx.Check("root"); err != nil {
		return nil, err
	}
	g := ctx.Graph
	var root string
	if a := ctx.Arg("root", 0); a != nil {
		ns, err := ctx.Nodes(a)
		if err != nil {
			return nil, err
		}
		root = g.Node(ns[0]).ID
	} else if roots := critpath.Roots(g); len(roots) > 0 {
		root = roots[0]
	} else {
		return nil, ctx.Errorf(ctx.Op.Pos, "critical_path: the graph has no spans")
	}
	p, err := critpath.Compute(g, root, critpath.Options{})
	if err != nil {
		return nil, ctx.Errorf(ctx.Op.Pos, "critical_path: %v", err)
	}
	var nodes []int32
	seen := map[int32]bool{}
	for _, st := range p.SpanTimes {
		if i, ok := g.Lookup(st.Span); ok && !seen[i] {
			seen[i] = true
			nodes = append(nodes, i)
		}
	}
	return &query.Set{Nodes: nodes, Edges: query.Induced(g, nodes), Data: p}, nil
}

// diffOp: diff([trace], baseline='stored'|'graph') — the queried trace
// (default: the graph's first failing trace) against the healthy traces
// of its endpoint; nodes are the failing spans the findings cite.
func diffOp(ctx *query.Context, baseline Baseline) (*query.Set, error) {
	if err := ctx.Check("trace", "baseline"); err != nil {
		return nil, err
	}
	g := ctx.Graph
	src := "stored"
	if a := ctx.Arg("baseline", 1); a != nil {
		s, err := ctx.String(a)
		if err != nil {
			return nil, err
		}
		if s != "stored" && s != "graph" {
			return nil, ctx.Errorf(a.Value.Offset(), "diff: baseline is 'stored' (healthy traces in the store) or 'graph' (this graph's own)")
		}
		src = s
	}
	trace := ""
	if a := ctx.Arg("trace", 0); a != nil {
		s, err := ctx.String(a)
		if err != nil {
			return nil, err
		}
		trace = s
	} else {
		for _, t := range cohort.LoadAll(g) {
			if t.Failed() {
				trace = t.ID
				break
			}
		}
	}
	if trace == "" {
		return nil, ctx.Errorf(ctx.Op.Pos, "diff: no failing trace in the graph; name one with trace='…'")
	}
	bases := []*epg.Graph{g}
	if src == "stored" && baseline != nil {
		more, err := baseline()
		if err != nil {
			return nil, fmt.Errorf("diff: loading the baseline: %w", err)
		}
		bases = append(bases, more...)
	}
	split, err := cohort.Assemble([]cohort.Ref{{Graph: g, TraceID: trace}}, bases...)
	if errors.Is(err, cohort.ErrNoBaseline) {
		return nil, ctx.Errorf(ctx.Op.Pos, "diff: no healthy traces of the same endpoint to compare with")
	}
	if err != nil {
		return nil, ctx.Errorf(ctx.Op.Pos, "diff: %v", err)
	}
	r := diff.Compare(split, diff.Options{})
	var nodes []int32
	g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		if n.Trace.TraceID == trace {
			nodes = append(nodes, i)
		}
		return true
	})
	return &query.Set{Nodes: nodes, Edges: query.Induced(g, nodes), Data: r}, nil
}

// lockCycles: lock_cycles() — the threads and locks on wait-for cycles,
// with the lock graph's cycles (locks, acquisition sites) as data.
func lockCycles(ctx *query.Context) (*query.Set, error) {
	if err := ctx.Check(); err != nil {
		return nil, err
	}
	g := ctx.Graph
	r := lockgraph.Analyze(g, lockgraph.Options{})
	var nodes []int32
	seen := map[int32]bool{}
	add := func(id string) {
		if i, ok := g.Lookup(id); ok && !seen[i] {
			seen[i] = true
			nodes = append(nodes, i)
		}
	}
	for _, c := range r.Cycles {
		for _, st := range c.Steps {
			add(st.Thread)
			add(st.Lock)
			if st.WaitSite != nil {
				add(st.WaitSite.Node)
			}
		}
	}
	return &query.Set{Nodes: nodes, Edges: query.Induced(g, nodes), Data: r.Cycles}, nil
}
