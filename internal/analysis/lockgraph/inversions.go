package lockgraph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/scc"
)

// InversionReport is what [Inversions] finds across a set of graphs.
type InversionReport struct {
	// Graphs is how many graphs were read; Order.Graph indexes them.
	Graphs int `json:"graphs"`
	// Inversions are ranked by how often their orders were seen, most
	// first, then by their locks.
	Inversions []Inversion `json:"inversions"`
	Omitted    int         `json:"omitted,omitempty"`
}

// Inversion is a cycle in the order locks were taken in: Orders[i] says
// Locks[i] was taken before Locks[i+1] (cyclically). Two locks make the
// classic inversion: A then B somewhere, B then A elsewhere. Nothing
// needs to have deadlocked: the inversion is a deadlock waiting for the
// two orders to run at the same time.
type Inversion struct {
	Summary string `json:"summary"`
	// Locks are lock keys (see [Key]), starting with the smallest.
	Locks  []string    `json:"locks"`
	Orders []OrderEdge `json:"orders"`
	// Graphs are the indexes of the graphs the orders were seen in.
	Graphs []int `json:"graphs"`
}

// OrderEdge is one acquisition order and the threads seen taking it.
type OrderEdge struct {
	Before string `json:"before"`
	After  string `json:"after"`
	// Count is how many threads were seen holding Before while waiting
	// for After.
	Count   int     `json:"count"`
	Seen    []Order `json:"seen"`
	Omitted int     `json:"omitted,omitempty"`
}

// Order is one thread seen holding one lock while waiting for another.
type Order struct {
	Graph      int    `json:"graph"`
	Thread     string `json:"thread"`
	ThreadName string `json:"thread_name,omitempty"`
	Held       string `json:"held"` // lock node ID
	HeldSite   *Site  `json:"held_site,omitempty"`
	Wanted     string `json:"wanted"` // lock node ID
	WantedSite *Site  `json:"wanted_site,omitempty"`
}

// Inversions finds the lock-order inversions across graphs, typically the
// occurrences of one incident or the dumps of one service: the thread
// that holds A while it waits for B took A before B. Locks are matched
// across graphs by [Key]. Orders come from current holds and waits only
// (dumps): an execution trace summarises waits and wake-ups and does not
// say which lock was held while another was awaited.
func Inversions(gs []*epg.Graph, opt Options) *InversionReport {
	opt = opt.norm()
	o := &orderGraph{edges: map[[2]string]*OrderEdge{}}
	for gi, g := range gs {
		o.observe(gi, newAnalyzer(g))
	}
	invs := o.inversions()
	for i := range invs {
		for j := range invs[i].Orders {
			e := &invs[i].Orders[j]
			e.Seen, e.Omitted = bound(e.Seen, opt.MaxOrders)
		}
	}
	r := &InversionReport{Graphs: len(gs)}
	r.Inversions, r.Omitted = bound(invs, opt.MaxInversions)
	return r
}

// orderGraph is the acquisition order among lock keys.
type orderGraph struct {
	edges map[[2]string]*OrderEdge
}

// observe adds every order graph gi's threads show.
func (o *orderGraph) observe(gi int, a *analyzer) {
	type hold struct {
		lock *lockState
		h    *Holder
	}
	held := map[int32][]hold{}
	for _, s := range a.locks {
		for i := range s.holders {
			if h := &s.holders[i]; h.Current {
				held[h.t] = append(held[h.t], hold{s, &h.Holder})
			}
		}
	}
	for _, s := range a.locks {
		for _, w := range s.waiters {
			if !w.Current || w.Mode == modeCondition {
				continue
			}
			for _, h := range held[w.t] {
				o.add(gi, h.lock, h.h, s, &w.Waiter)
			}
		}
	}
}

func (o *orderGraph) add(gi int, held *lockState, h *Holder, wanted *lockState, w *Waiter) {
	before, after := Key(held.node), Key(wanted.node)
	if before == after {
		return // a double lock, not an order
	}
	e := o.edges[[2]string{before, after}]
	if e == nil {
		e = &OrderEdge{Before: before, After: after}
		o.edges[[2]string{before, after}] = e
	}
	e.Count++
	e.Seen = append(e.Seen, Order{Graph: gi, Thread: w.Thread, ThreadName: w.ThreadName, Held: held.node.ID,
		HeldSite: h.Site, Wanted: wanted.node.ID, WantedSite: w.Site})
}

// inversions returns, per strongly connected component of the order
// graph, every pair of locks taken in both orders, or, when there is no
// such pair, the shortest order cycle through its first lock.
func (o *orderGraph) inversions() []Inversion {
	var keys []string
	for k := range o.edges {
		keys = append(keys, k[0], k[1])
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	succ := make([][]int, len(keys))
	for k := range o.edges {
		i, _ := slices.BinarySearch(keys, k[0])
		j, _ := slices.BinarySearch(keys, k[1])
		succ[i] = append(succ[i], j)
	}
	for i := range succ {
		slices.Sort(succ[i])
	}
	var out []Inversion
	for _, c := range scc.Components(len(keys), func(v int) []int { return succ[v] }) {
		if len(c) > 1 {
			out = append(out, o.inComponent(keys, c, succ)...)
		}
	}
	slices.SortStableFunc(out, func(x, y Inversion) int {
		if cx, cy := seen(x), seen(y); cx != cy {
			return cy - cx
		}
		return strings.Compare(strings.Join(x.Locks, "\x00"), strings.Join(y.Locks, "\x00"))
	})
	return out
}

func (o *orderGraph) inComponent(keys []string, c []int, succ [][]int) []Inversion {
	var out []Inversion
	for _, i := range c {
		for _, j := range c {
			if i < j && o.edges[[2]string{keys[i], keys[j]}] != nil && o.edges[[2]string{keys[j], keys[i]}] != nil {
				out = append(out, o.inversion([]string{keys[i], keys[j]}))
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	inComp := func(v int) bool { _, ok := slices.BinarySearch(c, v); return ok }
	vs := shortestCycle(c[0], inComp, func(v int) []int { return succ[v] })
	locks := make([]string, len(vs))
	for i, v := range vs {
		locks[i] = keys[v]
	}
	return []Inversion{o.inversion(locks)}
}

func (o *orderGraph) inversion(locks []string) Inversion {
	inv := Inversion{Locks: locks}
	for i, l := range locks {
		e := *o.edges[[2]string{l, locks[(i+1)%len(locks)]}]
		e.Seen = slices.Clone(e.Seen)
		inv.Orders = append(inv.Orders, e)
		for _, s := range e.Seen {
			inv.Graphs = append(inv.Graphs, s.Graph)
		}
	}
	slices.Sort(inv.Graphs)
	inv.Graphs = slices.Compact(inv.Graphs)
	inv.Summary = inversionSummary(inv)
	return inv
}

// seen counts an inversion's observations.
func seen(inv Inversion) int {
	n := 0
	for _, e := range inv.Orders {
		n += e.Count
	}
	return n
}

func inversionSummary(inv Inversion) string {
	parts := make([]string, len(inv.Orders))
	for i, e := range inv.Orders {
		s := e.Seen[0]
		parts[i] = fmt.Sprintf("%s then %s (%s in graph %d: holds from %s, waits at %s)",
			e.Before, e.After, threadName(s.ThreadName, s.Thread), s.Graph, s.HeldSite, s.WantedSite)
	}
	kind := "lock-order inversion"
	if len(inv.Locks) > 2 {
		kind = fmt.Sprintf("lock-order cycle over %d locks", len(inv.Locks))
	}
	return kind + ": " + strings.Join(parts, "; ")
}
