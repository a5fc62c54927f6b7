package lockgraph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/scc"
)

// waitFor is an edge of the wait-for graph: a thread waits for lock,
// which the thread numbered to holds.
type waitFor struct {
	to     int
	lock   *lockState
	waiter *Waiter
	holder *Holder
}

// wfGraph is the wait-for graph among threads, over current edges only.
type wfGraph struct {
	threads []int32     // sorted by node ID
	adj     [][]waitFor // by thread, sorted by target then lock ID
	succ    [][]int
}

func (a *analyzer) waitForGraph() *wfGraph {
	ts, num := a.blockedThreads()
	wf := &wfGraph{threads: ts, adj: make([][]waitFor, len(ts)), succ: make([][]int, len(ts))}
	for _, s := range a.locks { // by lock ID, so each adjacency list is too
		for wi := range s.waiters {
			w := &s.waiters[wi]
			if !w.Current || w.Mode == modeCondition {
				continue
			}
			for hi := range s.holders {
				if h := &s.holders[hi]; h.Current {
					v := num[w.t]
					wf.adj[v] = append(wf.adj[v], waitFor{to: num[h.t], lock: s, waiter: &w.Waiter, holder: &h.Holder})
				}
			}
		}
	}
	for v := range wf.adj {
		slices.SortStableFunc(wf.adj[v], func(x, y waitFor) int { return x.to - y.to })
		for _, e := range wf.adj[v] {
			wf.succ[v] = append(wf.succ[v], e.to)
		}
	}
	return wf
}

// blockedThreads returns the threads with a current wait or hold, sorted
// by node ID, and each one's number in that order.
func (a *analyzer) blockedThreads() ([]int32, map[int32]int) {
	num := map[int32]int{}
	var ts []int32
	add := func(t int32) {
		if _, ok := num[t]; !ok {
			num[t] = len(ts)
			ts = append(ts, t)
		}
	}
	for _, s := range a.locks {
		for _, w := range s.waiters {
			if w.Current && w.Mode != modeCondition {
				add(w.t)
			}
		}
		for _, h := range s.holders {
			if h.Current {
				add(h.t)
			}
		}
	}
	slices.SortFunc(ts, func(x, y int32) int { return strings.Compare(a.g.Node(x).ID, a.g.Node(y).ID) })
	for i, t := range ts {
		num[t] = i
	}
	return ts, num
}

// cycles finds one wait-for cycle through each strongly connected
// component of the wait-for graph that has one, including a thread that
// waits for a lock it holds itself: the shortest cycle through the
// component's first thread.
func (a *analyzer) cycles() []Cycle {
	wf := a.waitForGraph()
	comps := scc.Components(len(wf.threads), func(v int) []int { return wf.succ[v] })
	var out []Cycle
	for _, c := range comps {
		if path := wf.cycleIn(c); path != nil {
			out = append(out, a.cycle(wf, path, len(c)))
		}
	}
	slices.SortFunc(out, func(x, y Cycle) int { return strings.Compare(x.Steps[0].Thread, y.Steps[0].Thread) })
	return out
}

// cycleIn returns a cycle of component c as the wait-for edges in order.
func (wf *wfGraph) cycleIn(c []int) []waitFor {
	start := c[0]
	if len(c) == 1 {
		for _, e := range wf.adj[start] {
			if e.to == start {
				return []waitFor{e}
			}
		}
		return nil
	}
	inComp := func(v int) bool { _, ok := slices.BinarySearch(c, v); return ok }
	vs := shortestCycle(start, inComp, func(v int) []int { return wf.succ[v] })
	if vs == nil {
		return nil
	}
	path := make([]waitFor, len(vs))
	for i, v := range vs {
		next := vs[(i+1)%len(vs)]
		for _, e := range wf.adj[v] {
			if e.to == next {
				path[i] = e
				break
			}
		}
	}
	return path
}

func (a *analyzer) cycle(wf *wfGraph, path []waitFor, size int) Cycle {
	c := Cycle{Threads: size}
	for _, e := range path {
		holder := wf.threads[e.to]
		st := Step{Thread: e.waiter.Thread, ThreadName: e.waiter.ThreadName, Lock: e.lock.node.ID,
			LockName: displayName(e.lock.node), WaitSite: e.waiter.Site, Holder: a.g.Node(holder).ID,
			HoldSite: e.holder.Site, HoldInferred: e.holder.Inferred}
		c.Steps = append(c.Steps, st)
		c.Locks = append(c.Locks, st.Lock)
		c.Inferred = c.Inferred || st.HoldInferred != ""
		t, _ := a.g.Lookup(st.Thread)
		c.Verdicts = append(c.Verdicts, a.verdicts(t)...)
	}
	slices.Sort(c.Verdicts)
	c.Verdicts = slices.Compact(c.Verdicts)
	c.Summary = summarize(c.Steps)
	return c
}

// verdicts returns the deadlock and blocked verdict events thread t
// emits.
func (a *analyzer) verdicts(t int32) []string {
	var out []string
	for _, ev := range a.g.Children(t, epg.EdgeEmits) {
		n := a.g.Node(ev)
		if typ := n.EventType(); n.Kind == epg.KindEvent && (typ == epg.EventDeadlock || typ == epg.EventBlocked) {
			out = append(out, n.ID)
		}
	}
	return out
}

// summarize says what a cycle is in one sentence, naming every lock and
// site.
func summarize(steps []Step) string {
	if len(steps) == 1 {
		s := steps[0]
		return fmt.Sprintf("double lock: %s waits for %s at %s, which it already holds from %s",
			threadName(s.ThreadName, s.Thread), s.LockName, s.WaitSite, s.HoldSite)
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = fmt.Sprintf("%s waits for %s at %s, held by %s in %s",
			threadName(s.ThreadName, s.Thread), s.LockName, s.WaitSite, threadName(steps[(i+1)%len(steps)].ThreadName, s.Holder), s.HoldSite)
	}
	return fmt.Sprintf("deadlock over %d locks: %s", len(steps), strings.Join(parts, "; "))
}

func threadName(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
