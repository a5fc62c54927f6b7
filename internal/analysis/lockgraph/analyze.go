package lockgraph

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Analyze builds the lock graph of g: its locks with holders and waiters
// and their sites, the wait-for cycles, and the contention hotspots.
func Analyze(g *epg.Graph, opt Options) *Report {
	opt = opt.norm()
	a := newAnalyzer(g)
	cycles := a.cycles()
	onCycle := map[string]bool{}
	for _, c := range cycles {
		for _, l := range c.Locks {
			onCycle[l] = true
		}
	}
	r := &Report{}
	r.Cycles, r.OmittedCycles = bound(cycles, opt.MaxCycles)
	r.Hotspots, r.OmittedHotspots = bound(a.hotspots(opt), opt.MaxHotspots)
	r.Locks, r.OmittedLocks = bound(a.lockList(onCycle, opt), opt.MaxLocks)
	return r
}

// analyzer holds one graph's locks while the report is assembled.
type analyzer struct {
	g      *epg.Graph
	locks  []*lockState // by node ID
	stacks map[int32][]int32
}

// lockState is one lock with its holders and waiters by thread.
type lockState struct {
	idx     int32
	node    *epg.Node
	holders []holderAt
	waiters []waiterAt
	// Totals over non-condition waits.
	waits, waitNs, maxWait int64
	current                int
}

type holderAt struct {
	t int32
	Holder
}

type waiterAt struct {
	t int32
	Waiter
}

func newAnalyzer(g *epg.Graph) *analyzer {
	a := &analyzer{g: g, stacks: map[int32][]int32{}}
	g.Nodes(epg.KindLock, func(i int32, n *epg.Node) bool {
		if l := a.collect(i, n); len(l.holders)+len(l.waiters) > 0 {
			a.locks = append(a.locks, l)
		}
		return true
	})
	slices.SortFunc(a.locks, func(x, y *lockState) int { return strings.Compare(x.node.ID, y.node.ID) })
	return a
}

// collect reads lock l's holds and waits edges: waits first, so that a
// holder knows whether it also waits for the lock.
func (a *analyzer) collect(l int32, n *epg.Node) *lockState {
	g := a.g
	s := &lockState{idx: l, node: n}
	waitsNow, waited := map[int32]bool{}, map[int32]bool{}
	for _, e := range g.In(l) {
		t, _ := g.Ends(e)
		if ed := g.Edge(e); ed.Kind == epg.EdgeWaits && g.Node(t).Kind == epg.KindThread {
			w := a.waiter(t, n, ed)
			s.waiters = append(s.waiters, waiterAt{t, w})
			waitsNow[t] = waitsNow[t] || w.Current
			waited[t] = true
		}
	}
	for _, e := range g.In(l) {
		t, _ := g.Ends(e)
		if ed := g.Edge(e); ed.Kind == epg.EdgeHolds && g.Node(t).Kind == epg.KindThread {
			s.holders = append(s.holders, holderAt{t, a.holder(t, n, ed, waitsNow[t], waited[t])})
		}
	}
	byThread := func(x, y int32) int { return strings.Compare(g.Node(x).ID, g.Node(y).ID) }
	slices.SortFunc(s.waiters, func(x, y waiterAt) int { return byThread(x.t, y.t) })
	slices.SortFunc(s.holders, func(x, y holderAt) int { return byThread(x.t, y.t) })
	s.total()
	a.blame(s)
	return s
}

func (a *analyzer) waiter(t int32, l *epg.Node, e *epg.Edge) Waiter {
	tn := a.g.Node(t)
	w := Waiter{Thread: tn.ID, ThreadName: tn.Name, Site: a.waitSite(t, l, e), Mode: e.Attrs.Str(epg.AttrLockMode),
		Current: current(e), Waits: intAttr(e.Attrs, attrWaitCount), WaitNs: intAttr(e.Attrs, attrWaitTotal),
		MaxWaitNs: intAttr(e.Attrs, attrWaitMax), FirstUnix: intAttr(e.Attrs, attrWaitFirst),
		LastUnix: intAttr(e.Attrs, attrWaitLast)}
	if n := intAttr(tn.Attrs, epg.AttrCount); n > 1 {
		w.Threads = n
	}
	if w.Waits == 0 {
		w.Waits = max(w.Threads, 1)
	}
	if w.WaitNs == 0 && w.Current {
		// A dump says how long the thread has been parked, when it does.
		w.WaitNs = intAttr(tn.Attrs, epg.AttrThreadWaitNs)
	}
	if w.MaxWaitNs == 0 && w.Waits == 1 {
		w.MaxWaitNs = w.WaitNs
	}
	return w
}

func (a *analyzer) holder(t int32, l *epg.Node, e *epg.Edge, waitsNow, waited bool) Holder {
	tn := a.g.Node(t)
	h := Holder{Thread: tn.ID, ThreadName: tn.Name, Site: a.holdSite(t, l, e, waitsNow, waited), Current: current(e),
		Inferred: inferredFrom(e), FirstUnix: intAttr(e.Attrs, attrHoldFirst), LastUnix: intAttr(e.Attrs, attrHoldLast)}
	if !h.Current {
		h.Releases = max(intAttr(e.Attrs, epg.AttrCount), 1)
	}
	return h
}

// total sums the lock's waits. A decoder that dropped threads past its
// limits still counted their waits on the lock node, so the node's
// figures win when larger.
func (s *lockState) total() {
	for _, w := range s.waiters {
		if w.Mode == modeCondition {
			continue
		}
		s.waits += w.Waits
		s.waitNs += w.WaitNs
		s.maxWait = max(s.maxWait, w.MaxWaitNs)
		if w.Current {
			s.current += int(max(w.Threads, 1))
		}
	}
	s.waits = max(s.waits, intAttr(s.node.Attrs, attrLockCount))
	s.waitNs = max(s.waitNs, intAttr(s.node.Attrs, attrLockTotal))
	s.maxWait = max(s.maxWait, intAttr(s.node.Attrs, attrLockMax))
}

// lockList ranks the locks: on a cycle first, then by waiting.
func (a *analyzer) lockList(onCycle map[string]bool, opt Options) []Lock {
	ls := slices.Clone(a.locks)
	slices.SortStableFunc(ls, func(x, y *lockState) int {
		if cx, cy := onCycle[x.node.ID], onCycle[y.node.ID]; cx != cy {
			if cx {
				return -1
			}
			return 1
		}
		return rank(x, y)
	})
	out := make([]Lock, 0, len(ls))
	for _, s := range ls {
		out = append(out, s.lock(opt))
	}
	return out
}

// rank orders locks by total wait, then count of waits, then current
// waiters, most first; ties keep node-ID order.
func rank(x, y *lockState) int {
	switch {
	case x.waitNs != y.waitNs:
		return cmpDesc(x.waitNs, y.waitNs)
	case x.waits != y.waits:
		return cmpDesc(x.waits, y.waits)
	}
	return cmpDesc(int64(x.current), int64(y.current))
}

func cmpDesc(x, y int64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

func (s *lockState) lock(opt Options) Lock {
	l := Lock{Node: s.node.ID, Name: s.node.Name, Key: Key(s.node), Kind: s.node.Attrs.Str(epg.AttrLockKind),
		Site: lockSite(s.node), Waits: s.waits, WaitNs: s.waitNs}
	l.Holders, l.OmittedHolders = bound(rankedHolders(s.holders), opt.MaxThreads)
	l.Waiters, l.OmittedWaiters = bound(rankedWaiters(s.waiters), opt.MaxThreads)
	return l
}

// rankedHolders orders holders: current first, then by the waiting they
// caused; ties keep thread-ID order.
func rankedHolders(hs []holderAt) []Holder {
	out := make([]Holder, len(hs))
	for i := range hs {
		out[i] = hs[i].Holder
	}
	slices.SortStableFunc(out, func(x, y Holder) int {
		if x.Current != y.Current {
			if x.Current {
				return -1
			}
			return 1
		}
		if x.BlockedNs != y.BlockedNs {
			return cmpDesc(x.BlockedNs, y.BlockedNs)
		}
		return cmpDesc(x.Releases, y.Releases)
	})
	return out
}

// rankedWaiters orders waiters: current first, then by time waited;
// ties keep thread-ID order.
func rankedWaiters(ws []waiterAt) []Waiter {
	out := make([]Waiter, len(ws))
	for i := range ws {
		out[i] = ws[i].Waiter
	}
	slices.SortStableFunc(out, func(x, y Waiter) int {
		if x.Current != y.Current {
			if x.Current {
				return -1
			}
			return 1
		}
		return cmpDesc(x.WaitNs, y.WaitNs)
	})
	return out
}
