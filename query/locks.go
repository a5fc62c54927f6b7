package query

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// locksAt is locks.at([t]): the locks held or waited for at time t (any
// time when t is left out), with the threads doing so and their holds
// and waits edges. Locks come first, then threads, each in the order
// their edges appear.
//
// An edge's time comes from its attributes: a window from a
// *.first_unix_nano (or *.start_unix_nano) to a *.last_unix_nano (or
// *.end_unix_nano) attribute, widened by a *.max_ns one, as execution
// traces record them. An edge without a window takes its thread's
// lifetime; one whose thread has none either comes from a snapshot (a
// goroutine or thread dump) and counts at any t.
func (ev *evaluator) locksAt(ctx *Context) error {
	if err := ctx.Check("t"); err != nil {
		return err
	}
	var t int64
	anyTime := true
	if a := ctx.Arg("t", 0); a != nil {
		var err error
		if t, err = ctx.Time(a); err != nil {
			return err
		}
		anyTime = false
	}
	g := ev.g
	set := &Set{}
	var threads []int32
	seen := map[int32]bool{}
	for e := range int32(g.NumEdges()) {
		k := g.Edge(e).Kind
		if k != epg.EdgeHolds && k != epg.EdgeWaits || !anyTime && !activeAt(g, e, t) {
			continue
		}
		set.Edges = append(set.Edges, e)
		from, to := g.Ends(e)
		if !seen[to] {
			seen[to] = true
			set.Nodes = append(set.Nodes, to)
		}
		if !seen[from] {
			seen[from] = true
			threads = append(threads, from)
		}
	}
	set.Nodes = append(set.Nodes, threads...)
	ev.set = set
	return nil
}

func activeAt(g *epg.Graph, e int32, t int64) bool {
	var lo, hi, slack int64
	for _, a := range g.Edge(e).Attrs {
		v := a.Value.IntVal()
		switch {
		case strings.HasSuffix(a.Key, "first_unix_nano"), strings.HasSuffix(a.Key, "start_unix_nano"):
			lo = v
		case strings.HasSuffix(a.Key, "last_unix_nano"), strings.HasSuffix(a.Key, "end_unix_nano"):
			hi = v
		case strings.HasSuffix(a.Key, ".max_ns"):
			slack = v
		}
	}
	if lo == 0 {
		from, _ := g.Ends(e)
		th := g.Node(from)
		if th.Start == 0 || th.End == 0 {
			return true
		}
		lo, hi = th.Start, th.End
	}
	hi = max(hi, lo) + slack
	return lo <= t && t <= hi
}
