package slice

import (
	"slices"

	"github.com/tagdebug/tag/epg"
)

// Node states within one walk, kept in the low bits of Walker.mark next to
// the walk's epoch so that a new walk starts clean without clearing the
// array.
const (
	stateBits = 3

	stateLeftOut  = 1 // reached but cut or filtered out
	stateQueued   = 2 // in the slice, not yet expanded
	stateExpanded = 3 // in the slice, its edges examined
	stateStop     = 4 // in the slice, never to be expanded

	stateMask = 1<<stateBits - 1
	// Marks are 16 bits so that the array of a million-node graph stays
	// within cache; the array is cleared once every maxEpoch walks.
	maxEpoch = 1<<(16-stateBits) - 1

	// sortLevel is the size from which a level is expanded in index
	// order; below it, sorting costs more than the misses it saves.
	sortLevel = 2048
)

// Direction bits of the per-kind rule table.
const (
	followOut = 1 // source → target
	followIn  = 2 // target → source
)

// A Walker computes slices of one graph, reusing its scratch memory: a
// walk costs time in the size of the slice, not of the graph. A Walker is
// not safe for concurrent use; use one per goroutine.
type Walker struct {
	g     *epg.Graph
	adj   *adjacency
	mark  []uint16
	epoch uint16
	// order and tmp are scratch for sorting a level; nodes, depth and
	// edges for building a result.
	order, tmp          []int32
	nodes, depth, edges []int32
}

// NewWalker returns a Walker over g.
func NewWalker(g *epg.Graph) *Walker {
	return &Walker{g: g, adj: newAdjacency(g), mark: make([]uint16, g.NumNodes())}
}

// Clone returns a Walker over the same graph that shares w's read-only
// adjacency but has scratch memory of its own, for use by another
// goroutine.
func (w *Walker) Clone() *Walker {
	return &Walker{g: w.g, adj: w.adj, mark: make([]uint16, len(w.mark))}
}

// Backward returns the slice that leads to starts; Rules default to
// [BackwardRules].
func (w *Walker) Backward(starts []int32, opts Options) *Result {
	if opts.Rules == nil {
		opts.Rules = BackwardRules()
	}
	return w.Walk(starts, opts)
}

// Forward returns the slice that starts affected; Rules default to
// [ForwardRules].
func (w *Walker) Forward(starts []int32, opts Options) *Result {
	if opts.Rules == nil {
		opts.Rules = ForwardRules()
	}
	return w.Walk(starts, opts)
}

// Walk returns the slice reached from starts under opts.Rules as given.
// Start indices outside the graph are ignored.
func (w *Walker) Walk(starts []int32, opts Options) *Result {
	// table maps a slot's tagged kind to the direction it is crossed in
	// (zero: not followed).
	var table [256]uint8
	for _, r := range opts.Rules {
		k := uint8(tagKind(r.Kind))
		if k == 0 {
			continue
		}
		if r.Dir&epg.Forward != 0 {
			table[k] = followOut
		}
		if r.Dir&epg.Backward != 0 {
			table[k|inBit] = followIn
		}
	}
	st := w.begin(&opts, &table)
	st.seed(starts)
	st.run()
	// The walk grew the walker's scratch slices; the result gets copies
	// of exactly its size, so that repeated walks leave little garbage.
	res := st.res
	w.nodes, w.depth, w.edges = res.Nodes, res.Depth, res.Edges
	res.Nodes, res.Depth, res.Edges = slices.Clone(res.Nodes), slices.Clone(res.Depth), slices.Clone(res.Edges)
	return res
}

// begin advances the epoch and returns the state of a fresh walk.
func (w *Walker) begin(opts *Options, table *[256]uint8) *walk {
	if w.epoch == maxEpoch {
		clear(w.mark)
		w.epoch = 0
	}
	w.epoch++
	res := &Result{Nodes: w.nodes[:0], Depth: w.depth[:0], Edges: w.edges[:0]}
	return &walk{w: w, g: w.g, opts: opts, table: table, base: w.epoch << stateBits, res: res}
}

type walk struct {
	w     *Walker
	g     *epg.Graph
	opts  *Options
	table *[256]uint8
	base  uint16 // epoch << stateBits
	res   *Result
}

// both reports whether the kind in kd is followed in both directions.
func (s *walk) both(kd uint8) bool {
	return s.table[kd&^inBit] != 0 && s.table[kd|inBit] != 0
}

func (s *walk) state(i int32) uint16 {
	m := s.w.mark[i]
	if m&^stateMask != s.base {
		return 0
	}
	return m & stateMask
}

func (s *walk) set(i int32, state uint16) { s.w.mark[i] = s.base | state }

func (s *walk) seed(starts []int32) {
	n := int32(s.g.NumNodes())
	for _, i := range starts {
		if i < 0 || i >= n || s.state(i) != 0 {
			continue
		}
		s.set(i, stateQueued)
		s.res.Nodes = append(s.res.Nodes, i)
		s.res.Depth = append(s.res.Depth, 0)
	}
}

// run expands the queue level by level. A large level is expanded in
// node-index order, which turns its random reads of adjacency lists into
// a forward sweep; the walk is bound by memory latency, not by
// instructions. Nodes stays in discovery order either way.
func (s *walk) run() {
	res := s.res
	for lo := 0; lo < len(res.Nodes); {
		hi := len(res.Nodes)
		level := res.Nodes[lo:hi]
		if len(level) >= sortLevel {
			s.w.order = radixSort(append(s.w.order[:0], level...), &s.w.tmp, s.g.NumNodes())
			level = s.w.order
		}
		d := res.Depth[lo]
		grow := s.opts.MaxDepth <= 0 || int(d) < s.opts.MaxDepth
		for _, u := range level {
			s.expand(u, d, grow)
		}
		lo = hi
	}
}

// expand crosses the followed edges of u, at depth d.
func (s *walk) expand(u int32, d int32, grow bool) {
	if s.state(u) == stateStop {
		return
	}
	s.set(u, stateExpanded)
	res, a, mark, base := s.res, s.w.adj, s.w.mark, s.base
	for j := a.off[u]; j < a.off[u+1]; j++ {
		sl := a.slots[j]
		kd := sl.kd()
		if s.table[kd] == 0 {
			continue
		}
		res.Walked++
		m := mark[sl.nbr]
		if m&^stateMask != base {
			s.enter(sl.nbr, a.edge(j), d, grow)
			continue
		}
		switch m & stateMask {
		case stateQueued, stateStop:
			res.Edges = append(res.Edges, a.edge(j))
		case stateExpanded:
			// The neighbour crossed this edge already if the rule for
			// its kind goes both ways.
			if sl.nbr == u || !s.both(kd) {
				res.Edges = append(res.Edges, a.edge(j))
			}
		}
	}
}

// enter decides the fate of v, first reached over edge e from a node at
// depth d (grow: one that may have neighbours further out).
func (s *walk) enter(v, e int32, d int32, grow bool) {
	res := s.res
	switch {
	case !grow:
		s.set(v, stateLeftOut)
		res.Cut.Depth++
		return
	case s.opts.MaxNodes > 0 && len(res.Nodes) >= s.opts.MaxNodes:
		s.set(v, stateLeftOut)
		res.Cut.Limit++
		return
	}
	state := uint16(stateQueued)
	if s.opts.Stop != nil && s.opts.Stop(v) {
		state = stateStop
		res.Stops = append(res.Stops, v)
	} else if s.opts.Kinds != 0 && !s.opts.Kinds.Has(s.g.Node(v).Kind) || s.opts.Through != nil && !s.opts.Through(v) {
		s.set(v, stateLeftOut)
		res.Cut.Filtered++
		return
	}
	s.set(v, state)
	res.Nodes = append(res.Nodes, v)
	res.Depth = append(res.Depth, d+1)
	res.Edges = append(res.Edges, e)
}
