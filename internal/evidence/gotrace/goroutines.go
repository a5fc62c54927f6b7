package gotrace

import (
	"golang.org/x/exp/trace"
)

// maxSitesPerGoroutine bounds the distinct (reason, site) blocks kept per
// goroutine; more are counted in the reason totals only.
const maxSitesPerGoroutine = 64

// goroutine is what the trace said about one goroutine.
type goroutine struct {
	id      trace.GoID
	start   trace.Time // creation, or first sight
	end     trace.Time // exit; 0 while alive
	created bool
	creator trace.GoID
	// createdBy is the creator's stack at the go statement; entry the
	// function the goroutine started in.
	createdBy  *stackInfo
	entry      string
	entryStack *stackInfo
	system     bool
	state      trace.GoState

	blockAt     trace.Time
	blockReason string
	blockStack  *stackInfo
	blockLock   *lockAgg
	// blockedBefore marks a wait that began before the trace did, so its
	// duration is a lower bound.
	blockedBefore bool

	syscallAt, assistAt          trace.Time
	syscalls, syscallNs          int64
	assists, assistNs            int64
	reasons                      []reasonTotal
	sites                        map[siteKey]*blockSite
	siteSeq                      []*blockSite
	longest                      int64
	longestStack                 *stackInfo
	annotated, woke, inHappensBy bool
}

type reasonTotal struct {
	reason    string
	count, ns int64
}

type siteKey struct{ reason, site string }

// blockSite aggregates the blocks of one goroutine for one reason at one
// call site.
type blockSite struct {
	siteKey
	fn                string
	count, total, max int64
}

// interesting reports whether the goroutine earns a thread node.
func (g *goroutine) interesting() bool {
	return !g.system && (g.created || len(g.reasons) > 0 || g.syscalls > 0 || g.annotated || g.woke || g.inHappensBy || g.blockAt != 0)
}

// goroutine returns the state of id, creating it when there is room.
func (c *converter) goroutine(id trace.GoID, t trace.Time) *goroutine {
	if g := c.find(id); g != nil {
		return g
	}
	if id == trace.NoGoroutine || len(c.gs) >= c.trackLimit() {
		c.dropped.goroutines++
		return nil
	}
	g := &goroutine{id: id, start: t, creator: trace.NoGoroutine}
	c.gs[id] = g
	c.order = append(c.order, g)
	return g
}

// find returns the state of id, if followed.
func (c *converter) find(id trace.GoID) *goroutine {
	// Consecutive events mostly concern one goroutine (it starts, runs,
	// blocks), so the last one found saves most map lookups.
	if c.lastG != nil && c.lastG.id == id {
		return c.lastG
	}
	g := c.gs[id]
	if g != nil {
		c.lastG = g
	}
	return g
}

// trackLimit bounds the goroutines followed at once: room for the thread
// nodes kept plus the runtime's own.
func (c *converter) trackLimit() int { return 2*c.lim.Goroutines + 1024 }

// retire forgets a goroutine that exited without earning a node, so a
// server's churn of short-lived goroutines does not grow the tables.
func (c *converter) retire(g *goroutine) {
	if g.interesting() {
		return
	}
	delete(c.gs, g.id)
	if c.lastG == g {
		c.lastG = nil
	}
	if len(c.order) > 2*len(c.gs)+1024 {
		kept := c.order[:0]
		for _, o := range c.order {
			if c.gs[o.id] == o {
				kept = append(kept, o)
			}
		}
		clear(c.order[len(kept):])
		c.order = kept
	}
}

// transition folds one goroutine state change in.
func (c *converter) transition(ev *trace.Event, st *trace.StateTransition) {
	from, to := st.Goroutine()
	id := st.Resource.Goroutine()
	t := ev.Time()
	switch {
	case from == trace.GoNotExist:
		c.created(ev, st, id, to)
		return
	case to == trace.GoNotExist:
		if g := c.find(id); g != nil {
			c.finishSyscall(g, t)
			g.end, g.state = t, to
			c.retire(g)
		}
		return
	}
	g := c.goroutine(id, t)
	if g == nil {
		return
	}
	if from == trace.GoUndetermined {
		c.status(g, st, t, to)
		return
	}
	if from == to {
		// A later generation restating a state the trace already gave.
		return
	}
	switch {
	case to == trace.GoWaiting:
		c.block(g, t, st.Reason, c.stacks.get(st.Stack))
	case from == trace.GoWaiting:
		c.unblock(ev, g, t)
	case to == trace.GoSyscall:
		g.syscallAt = t
	case from == trace.GoSyscall:
		c.finishSyscall(g, t)
	}
	g.state = to
}

// created handles a go statement (or a goroutine the runtime made).
func (c *converter) created(ev *trace.Event, st *trace.StateTransition, id trace.GoID, to trace.GoState) {
	t := ev.Time()
	g := c.goroutine(id, t)
	if g == nil {
		return
	}
	g.created, g.start, g.state = true, t, to
	g.creator = ev.Goroutine()
	g.createdBy = c.stacks.get(ev.Stack())
	if si := c.stacks.get(st.Stack); si != nil && len(si.frames) > 0 {
		g.entry, g.entryStack = si.frames[0].Function, si
	}
	g.system = isSystemEntry(g.entry)
	switch to {
	case trace.GoWaiting:
		g.blockAt, g.blockReason = t, "unknown"
	case trace.GoSyscall:
		g.syscallAt = t
	}
	if g.system {
		return
	}
	if p := c.find(g.creator); p != nil && !p.system && p != g {
		if h := c.hb(p, g); h != nil && h.created == 0 {
			h.created = t
			h.count++
		}
	}
}

// status handles the state report the runtime writes for a goroutine the
// first time a generation of the trace involves it (with a stack, when
// the generation ends without involving it). Only a goroutine seen for
// the first time learns from it: one waiting at its first sight has been
// waiting since before the trace (or a flight recorder's window) began,
// else it would have been seen earlier; its wait is counted from the
// start of the trace and marked as a lower bound.
func (c *converter) status(g *goroutine, st *trace.StateTransition, t trace.Time, to trace.GoState) {
	if g.state != trace.GoUndetermined {
		if g.state != to && to != trace.GoWaiting {
			g.state = to
		}
		return
	}
	g.state = to
	si := c.stacks.get(st.Stack)
	c.learnEntry(g, si)
	switch to {
	case trace.GoWaiting:
		reason := "unknown"
		if si != nil && si.waitReason != "" {
			reason = si.waitReason
		}
		c.block(g, c.first, reason, si)
		g.blockedBefore = true
	case trace.GoSyscall:
		g.syscallAt = t
	}
}

// learnEntry names the entry of a goroutine the trace did not see start,
// from the outermost frame of a stack of it.
func (c *converter) learnEntry(g *goroutine, si *stackInfo) {
	if g.created || g.entry != "" || si == nil || si.entry == "" {
		return
	}
	g.entry = si.entry
	g.system = g.system || isSystemEntry(g.entry)
}

func (c *converter) finishSyscall(g *goroutine, t trace.Time) {
	if g.syscallAt != 0 {
		g.syscalls++
		g.syscallNs += int64(t - g.syscallAt)
		g.syscallAt = 0
	}
}

// block starts a wait.
func (c *converter) block(g *goroutine, t trace.Time, reason string, si *stackInfo) {
	c.learnEntry(g, si)
	switch reason {
	case "system goroutine wait", "GC background sweeper wait", "GC weak to strong wait":
		g.system = true
	}
	g.blockAt, g.blockReason, g.blockStack, g.blockLock, g.blockedBefore = t, reason, si, nil, false
	if reason == "sync" && si != nil && si.lockKind != "" && si.site != "" && !g.system {
		g.blockLock = c.lock(si)
	}
}

// unblock ends g's wait; the goroutine running the event woke it.
func (c *converter) unblock(ev *trace.Event, g *goroutine, t trace.Time) {
	if g.blockAt == 0 {
		return
	}
	if g.blockReason == "unknown" {
		// A wait reported without a stack: a waker releasing a lock
		// says what it was, though not which lock.
		if si := c.stacks.get(ev.Stack()); si != nil && si.unlock {
			g.blockReason = "sync"
		}
	}
	d := int64(t - g.blockAt)
	c.recordBlock(g, d)
	if l := g.blockLock; l != nil {
		w := l.wait(g, c.clock.unix(g.blockAt), c.clock.unix(t), d, g.blockStack.lockMode)
		w.before = w.before || g.blockedBefore
	}
	if u := c.find(ev.Goroutine()); u != nil && u != g && !u.system && !g.system {
		if l := g.blockLock; l != nil {
			l.held(u, c.clock.unix(t))
			u.woke = true
		}
		if ordersGoroutines(g.blockReason) {
			if h := c.hb(u, g); h != nil {
				h.unblock(g.blockReason, c.clock.unix(t))
				u.woke = true
			}
		}
	}
	g.blockAt, g.blockReason, g.blockStack, g.blockLock, g.blockedBefore = 0, "", nil, nil, false
}

// ordersGoroutines reports whether a wake-up from reason means the waker
// did something the wakee waited for. Timers and the network poller wake
// goroutines from whatever goroutine happens to run the scheduler.
func ordersGoroutines(reason string) bool {
	switch reason {
	case "chan send", "chan receive", "select", "sync", "sync.(*Cond).Wait":
		return true
	}
	return false
}

// recordBlock adds a finished wait of d ns to g's totals.
func (c *converter) recordBlock(g *goroutine, d int64) {
	reason := g.blockReason
	i := 0
	for i < len(g.reasons) && g.reasons[i].reason != reason {
		i++
	}
	if i == len(g.reasons) {
		g.reasons = append(g.reasons, reasonTotal{reason: reason})
	}
	g.reasons[i].count++
	g.reasons[i].ns += d
	if d > g.longest || g.longestStack == nil {
		g.longest, g.longestStack = d, g.blockStack
	}
	top := g.blockStack.whereFrame()
	if top == nil {
		return
	}
	k := siteKey{reason, g.blockStack.whereSite}
	s := g.sites[k]
	if s == nil {
		if len(g.siteSeq) >= maxSitesPerGoroutine {
			c.dropped.sites++
			return
		}
		if g.sites == nil {
			g.sites = make(map[siteKey]*blockSite)
		}
		s = &blockSite{siteKey: k, fn: top.Function}
		g.sites[k] = s
		g.siteSeq = append(g.siteSeq, s)
	}
	s.count++
	s.total += d
	s.max = max(s.max, d)
}
