package rca

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// involvedThreads are the threads a runtime signal names: those emitting
// a verdict, or those holding or waiting for a lock on a cycle.
func involvedThreads(g *epg.Graph, start int32) []int32 {
	var ts []int32
	if g.Node(start).Kind == epg.KindLock {
		g.Walk([]int32{start}, epg.Both, func(e int32) bool {
			k := g.Edge(e).Kind
			return k == epg.EdgeHolds || k == epg.EdgeWaits
		}, func(n int32, depth int) bool {
			if g.Node(n).Kind == epg.KindThread {
				ts = append(ts, n)
			}
			return depth < 8
		})
		return ts
	}
	for _, p := range g.Parents(start, epg.EdgeEmits) {
		if g.Node(p).Kind == epg.KindThread {
			ts = append(ts, p)
		}
	}
	return ts
}

// lockEdges returns the locks a thread holds and waits for, by name.
func lockEdges(g *epg.Graph, t int32) (holds, waits []string) {
	for _, e := range g.Out(t) {
		_, l := g.Ends(e)
		switch g.Edge(e).Kind {
		case epg.EdgeHolds:
			holds = append(holds, g.Node(l).Name)
		case epg.EdgeWaits:
			waits = append(waits, g.Node(l).Name)
		}
	}
	return holds, waits
}

// lockCycle ranks the acquisition sites of the threads on a lock cycle:
// where each waits (the statement that blocks) first, then the caller
// that was holding the other lock when it did.
func lockCycle(g *epg.Graph, start int32) []Candidate {
	ts := involvedThreads(g, start)
	var onCycle []int32
	for _, t := range ts {
		if h, w := lockEdges(g, t); len(h) > 0 && len(w) > 0 {
			onCycle = append(onCycle, t)
		}
	}
	if len(onCycle) > 0 {
		ts = onCycle
	}
	var out []Candidate
	for _, t := range ts {
		holds, waits := lockEdges(g, t)
		frames := keepInApp(g, threadStack(g, t))
		th := g.Node(t).Name
		for k, f := range frames[:min(len(frames), 3)] {
			why := fmt.Sprintf("%s blocks here acquiring %s", th, orSome(waits))
			if len(holds) > 0 {
				why += " while holding " + strings.Join(holds, ", ")
			}
			if k > 0 {
				why = fmt.Sprintf("%s's caller %d on the way to acquiring %s", th, k, orSome(waits))
			}
			out = append(out, frameCandidate(g.Node(f), pow(0.6, k), why))
		}
	}
	return out
}

func orSome(names []string) string {
	if len(names) == 0 {
		return "a lock"
	}
	return strings.Join(names, ", ")
}

// raceAccesses ranks the in-app frames of a race's two accesses: the
// write first, since it is the one to guard.
func raceAccesses(g *epg.Graph, start int32) []Candidate {
	var out []Candidate
	for _, a := range g.Children(start, epg.EdgeCausedBy) {
		acc := g.Node(a)
		op := acc.Attrs.Str(epg.AttrAccessOp)
		score := 0.95
		if op == "write" {
			score = 1
		}
		for k, f := range inAppStack(g, a) {
			why := fmt.Sprintf("unsynchronised %s in the race (%s)", orWord(op, "access"), acc.Name)
			if k > 0 {
				why = fmt.Sprintf("caller %d of the racing %s", k, orWord(op, "access"))
			}
			out = append(out, frameCandidate(g.Node(f), score*pow(0.6, k), why))
		}
	}
	return out
}

func orWord(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// sharedStacks ranks the in-app frames where blocked or leaked threads
// wait, by how many threads wait there (dumps fold equal goroutines into
// one node with a count).
func sharedStacks(g *epg.Graph, start int32) []Candidate {
	type site struct {
		frame int32
		n     int64
		state string
	}
	sites := map[string]*site{}
	var total int64
	for _, t := range involvedThreads(g, start) {
		frames := keepInApp(g, threadStack(g, t))
		if len(frames) == 0 {
			continue
		}
		n := int64(1)
		if v, ok := g.Node(t).Attr(epg.AttrCount); ok && v.IntVal() > 0 {
			n = v.IntVal()
		}
		total += n
		l := g.Node(frames[0]).Loc
		key := g.Node(frames[0]).Name
		if l != nil {
			key = fmt.Sprintf("%s:%d", l.File, l.Line)
		}
		s := sites[key]
		if s == nil {
			s = &site{frame: frames[0], state: orWord(g.Node(t).Attrs.Str(epg.AttrThreadWaitFor), g.Node(t).Attrs.Str(epg.AttrThreadState))}
			sites[key] = s
		}
		s.n += n
	}
	var out []Candidate
	for _, s := range sites {
		why := fmt.Sprintf("%d of %d %s threads wait here", s.n, total, g.Node(start).EventType())
		if s.state != "" {
			why += " [" + s.state + "]"
		}
		out = append(out, frameCandidate(g.Node(s.frame), float64(s.n)/float64(max(total, 1)), why))
	}
	slices.SortFunc(out, func(a, b Candidate) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.File, b.File)) })
	return out
}
