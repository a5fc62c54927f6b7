package rca

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/lockgraph"
)

// lateWaits explains a late request by where it was waiting, when its
// evidence holds the capture SDK's snapshot of it running late (an
// epg.EventSlow note in the request's own trace). Spans only say the time
// was the handler's own; the dump shows the handler's goroutines parked
// — on a lock a peer holds across slow work, on a full channel. The
// sites where most of the route's goroutines wait lead, the holder of the
// lock they queue on is named in the reason and ranked next at the place
// it holds it. Goroutines on a lock cycle are left out: that is a
// deadlock, an incident of its own.
func lateWaits(g *epg.Graph) []Candidate {
	l := lateThreads(g)
	if len(l.threads) == 0 {
		return nil
	}
	type site struct {
		frame int32
		n     int64
		state string
		lock  int32 // -1: not a lock wait
	}
	sites := map[string]*site{}
	var total int64
	for _, t := range l.threads {
		frames := inAppOnly(g, threadStack(g, t))
		if len(frames) == 0 {
			continue
		}
		n := threadCount(g, t)
		total += n
		lock := int32(-1)
		for _, k := range g.Children(t, epg.EdgeWaits) {
			if g.Node(k).Kind == epg.KindLock {
				lock = k
				break
			}
		}
		loc := g.Node(frames[0]).Loc
		key := fmt.Sprintf("%s:%d:%d", loc.File, loc.Line, lock)
		s := sites[key]
		if s == nil {
			s = &site{frame: frames[0], lock: lock, state: threadState(g, t)}
			sites[key] = s
		}
		s.n += n
	}
	// Scores lie in [0.5, 1] by the share of the goroutines at a site, so
	// every site outranks the critical path's spans, which rank halves.
	score := func(n int64) float64 { return 0.5 + 0.5*float64(n)/float64(max(total, 1)) }
	var out []Candidate
	holding := map[string]bool{} // holders' sites, said as holders
	for _, s := range sites {
		if s.lock < 0 {
			continue
		}
		lock := lockPhrase(g.Node(s.lock))
		why := fmt.Sprintf("%d of %d %s goroutines wait here [%s] for %s", s.n, total, l.who, s.state, lock)
		if h, ok := lockHolder(g, s.lock, s.frame, l.inCycle); ok {
			why += ", held by " + h.say(g)
			hw := fmt.Sprintf("%s holds %s here while %d %s goroutines queue on it", g.Node(h.thread).Name, lock, s.n, l.who)
			if slow := h.slow(g); slow != "" {
				hw = fmt.Sprintf("%s holds %s here across slow work [%s] while %d %s goroutines queue on it", g.Node(h.thread).Name, lock, slow, s.n, l.who)
			}
			out = append(out, frameCandidate(g.Node(h.frame), score(s.n)*0.95, hw))
			holding[siteKey(g, h.frame)] = true
		}
		out = append(out, frameCandidate(g.Node(s.frame), score(s.n), why))
	}
	for _, s := range sites {
		if s.lock < 0 && !holding[siteKey(g, s.frame)] {
			out = append(out, frameCandidate(g.Node(s.frame), score(s.n), fmt.Sprintf("%d of %d %s goroutines wait here [%s]", s.n, total, l.who, s.state)))
		}
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return out
}

func siteKey(g *epg.Graph, frame int32) string {
	l := g.Node(frame).Loc
	return fmt.Sprintf("%s:%d", l.File, l.Line)
}

// lockPhrase names a lock for a sentence. A dump read without the source
// names a mutex by address and the function that locked it; the function
// is what a reader knows it by.
func lockPhrase(n *epg.Node) string {
	kind, rest, ok := strings.Cut(n.Name, " 0x")
	if _, fn, found := strings.Cut(rest, "(locked in "); ok && found {
		return "the " + kind + " " + shortFunction(strings.TrimSuffix(fn, ")")) + " locks"
	}
	return n.Name
}

// late are the goroutines of a slow-request snapshot that explain the
// request, and what to call them.
type late struct {
	threads []int32
	who     string // "POST /v1/checkout", or "late" without a route
	inCycle map[int32]bool
}

// lateThreads finds the slow notes of the graph (the trace view holds
// only the request's own) and, of the goroutines they name, those running
// the route's handler — the request and its peers on the same route.
// Without a handler to match, the goroutines queued on a lock stand for
// them: in-app goroutines idle on their own channels say nothing about
// the request.
func lateThreads(g *epg.Graph) late {
	l := late{who: "late"}
	var handlers, routes []string
	var named []int32
	seen := map[int32]bool{}
	g.Nodes(epg.KindEvent, func(i int32, n *epg.Node) bool {
		if n.EventType() != epg.EventSlow {
			return true
		}
		for _, p := range g.Parents(i, epg.EdgeEmits) {
			switch pn := g.Node(p); pn.Kind {
			case epg.KindInput:
				if h := pn.Attrs.Str("code.function.name"); h != "" && !slices.Contains(handlers, h) {
					handlers = append(handlers, h)
				}
				if pn.Name != "" && !slices.Contains(routes, pn.Name) {
					routes = append(routes, pn.Name)
				}
			case epg.KindThread:
				if !seen[p] {
					seen[p] = true
					named = append(named, p)
				}
			}
		}
		return true
	})
	if len(named) == 0 {
		return l
	}
	l.inCycle = cycleThreads(g)
	var mine, queued []int32
	for _, t := range named {
		if l.inCycle[t] {
			continue
		}
		if runs(g, t, handlers) {
			mine = append(mine, t)
		}
		if len(g.Children(t, epg.EdgeWaits)) > 0 {
			queued = append(queued, t)
		}
	}
	if len(mine) > 0 {
		l.threads, l.who = mine, strings.Join(routes, ", ")
	} else {
		l.threads = queued
	}
	slices.Sort(l.threads)
	return l
}

// runs reports whether thread t's stack passes through one of the
// handler functions.
func runs(g *epg.Graph, t int32, handlers []string) bool {
	for _, f := range threadStack(g, t) {
		if slices.Contains(handlers, frameFunction(g.Node(f))) {
			return true
		}
	}
	return false
}

func frameFunction(n *epg.Node) string {
	if n.Loc != nil && n.Loc.Function != "" {
		return n.Loc.Function
	}
	return n.Name
}

// cycleThreads are the threads on a wait-for cycle.
func cycleThreads(g *epg.Graph) map[int32]bool {
	out := map[int32]bool{}
	for _, c := range lockgraph.Analyze(g, lockgraph.Options{}).Cycles {
		for _, s := range c.Steps {
			for _, id := range []string{s.Thread, s.Holder} {
				if i, ok := g.Lookup(id); ok {
					out[i] = true
				}
			}
		}
	}
	return out
}

// holder is the goroutine holding a contended lock, where it is.
type holder struct {
	thread, frame int32
	inferred      string // how the hold is known: "" stated, else how deduced
}

// say describes the holder: which goroutine, where, and whether it holds
// the lock across slow work.
func (h holder) say(g *epg.Graph) string {
	loc := g.Node(h.frame).Loc
	s := fmt.Sprintf("%s at %s:%d", g.Node(h.thread).Name, path.Base(loc.File), loc.Line)
	if slow := h.slow(g); slow != "" {
		s += " across slow work [" + slow + "]"
	} else {
		s += " [" + threadState(g, h.thread) + "]"
	}
	if h.inferred != "" {
		s += " (the hold inferred from " + h.inferred + ")"
	}
	return s
}

// slow is the holder's wait when it is parked — asleep, in I/O, on a
// channel — rather than on the CPU or another lock: it keeps the lock
// while doing nothing with it.
func (h holder) slow(g *epg.Graph) string {
	n := g.Node(h.thread)
	if n.Attrs.Str(epg.AttrThreadState) != "waiting" {
		return ""
	}
	return n.Attrs.Str(epg.AttrThreadWaitFor)
}

// lockHolder finds who holds lock: a holds edge (stated, or inferred from
// frame arguments), else a goroutine of the dump inside the function
// that waits for it without waiting for it itself — the function takes
// the lock on entry, so whoever is past that point holds it.
func lockHolder(g *epg.Graph, lock, waitFrame int32, inCycle map[int32]bool) (holder, bool) {
	for _, t := range g.Parents(lock, epg.EdgeHolds) {
		if g.Node(t).Kind != epg.KindThread || inCycle[t] {
			continue
		}
		if frames := inAppOnly(g, threadStack(g, t)); len(frames) > 0 {
			h := holder{thread: t, frame: frames[0]}
			for _, e := range g.In(lock) {
				if from, _ := g.Ends(e); from == t && g.Edge(e).Kind == epg.EdgeHolds && g.Edge(e).Inferred {
					h.inferred = orWord(g.Edge(e).Attrs.Str(epg.AttrHowInferred), "the dump")
				}
			}
			return h, true
		}
	}
	fn := frameFunction(g.Node(waitFrame))
	var best holder
	found := false
	g.Nodes(epg.KindThread, func(t int32, n *epg.Node) bool {
		if inCycle[t] || slices.Contains(g.Children(t, epg.EdgeWaits), lock) {
			return true
		}
		for _, f := range inAppOnly(g, threadStack(g, t)) {
			if frameFunction(g.Node(f)) == fn {
				best, found = holder{thread: t, frame: f, inferred: "its stack inside " + shortFunction(fn)}, true
				return false
			}
		}
		return true
	})
	return best, found
}

// inAppOnly keeps a stack's in-app frames (none when it has none, unlike
// keepInApp: a goroutine outside the program's code explains nothing
// here).
func inAppOnly(g *epg.Graph, frames []int32) []int32 {
	var out []int32
	for _, f := range frames {
		if l := g.Node(f).Loc; l != nil && l.InApp && l.File != "" {
			out = append(out, f)
		}
	}
	return out
}

func threadCount(g *epg.Graph, t int32) int64 {
	if v, ok := g.Node(t).Attr(epg.AttrCount); ok && v.IntVal() > 0 {
		return v.IntVal()
	}
	return 1
}

func threadState(g *epg.Graph, t int32) string {
	n := g.Node(t)
	return orWord(n.Attrs.Str(epg.AttrThreadWaitFor), n.Attrs.Str(epg.AttrThreadState))
}

// shortFunction drops the import path: "shop.(*Inventory).Reserve".
func shortFunction(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}
