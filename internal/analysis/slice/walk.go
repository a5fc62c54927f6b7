package slice

import "github.com/tagdebug/tag/epg"

// Options configures a walk. The zero Options follow no edges; [Backward]
// and [Forward] fill in Rules when it is nil.
type Options struct {
	// Rules lists the edge kinds to follow and which way.
	Rules []Rule
	// Kinds restricts the node kinds the walk may pass through; the zero
	// set allows all.
	Kinds KindSet
	// Through, when set, must hold for a node to be entered. Start and
	// stop nodes are exempt from Kinds and Through.
	Through func(i int32) bool
	// Stop marks nodes where the walk ends: a stop node is part of the
	// slice but is not expanded. Start nodes are never stop nodes.
	Stop func(i int32) bool
	// MaxDepth bounds the number of edges between a start node and any
	// node of the slice; 0 means no bound.
	MaxDepth int
	// MaxNodes bounds the slice's size (start nodes always fit); 0 means
	// no bound. The nodes kept are the first MaxNodes in walk order.
	MaxNodes int
}

// Result is a slice: nodes and edges of the graph by index.
type Result struct {
	// Nodes is in breadth-first order: the start nodes as given (without
	// duplicates), then by distance, ties in adjacency order.
	Nodes []int32
	// Depth[i] is Nodes[i]'s distance, in edges, from the nearest start.
	Depth []int32
	// Edges lists, in the order the walk first crossed them, the followed
	// edges whose two ends are both in the slice and that were crossed
	// from an expanded node.
	Edges []int32
	// Stops lists the nodes of the slice where Options.Stop held.
	Stops []int32
	// Cut counts what the bounds and filters left out.
	Cut Cut
	// Walked counts the edges examined, for throughput figures.
	Walked int
}

// Cut counts the distinct nodes a walk reached but left out of its slice.
type Cut struct {
	// Depth counts nodes one step beyond Options.MaxDepth.
	Depth int `json:"depth,omitempty"`
	// Limit counts nodes next to the slice that did not fit under
	// Options.MaxNodes. The walk stops growing at the limit, so this is
	// how many more were in sight, not how many more there were.
	Limit int `json:"limit,omitempty"`
	// Filtered counts nodes refused by Options.Kinds or Options.Through.
	Filtered int `json:"filtered,omitempty"`
}

// Total returns the number of nodes left out for any reason.
func (c Cut) Total() int { return c.Depth + c.Limit + c.Filtered }

// Backward returns the slice of g that leads to starts. Rules default to
// [BackwardRules]. Backward, Forward and Walk prepare a [Walker] for the
// one call, which takes time in the size of the graph; keep a Walker to
// take more than one slice of a graph.
func Backward(g *epg.Graph, starts []int32, opts Options) *Result {
	return NewWalker(g).Backward(starts, opts)
}

// Forward returns the slice of g that starts affected. Rules default to
// [ForwardRules].
func Forward(g *epg.Graph, starts []int32, opts Options) *Result {
	return NewWalker(g).Forward(starts, opts)
}

// Walk returns the slice of g reached from starts under opts.Rules as
// given.
func Walk(g *epg.Graph, starts []int32, opts Options) *Result {
	return NewWalker(g).Walk(starts, opts)
}
