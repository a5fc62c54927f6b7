package rca

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/lockgraph"
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

// lockCycle ranks the sites of the lock cycles the signal is about, as
// the lock graph finds them: where each thread on the cycle blocks
// acquiring a lock first, then where the holder took that lock. A
// deadlock verdict without a lock cycle (goroutines asleep on channels)
// is explained by the stacks the threads share.
func lockCycle(g *epg.Graph, start int32) []Candidate {
	id := g.Node(start).ID
	var cycles []lockgraph.Cycle
	all := lockgraph.Analyze(g, lockgraph.Options{}).Cycles
	for _, c := range all {
		if slices.Contains(c.Locks, id) || slices.Contains(c.Verdicts, id) {
			cycles = append(cycles, c)
		}
	}
	if len(cycles) == 0 {
		cycles = all
	}
	var out []Candidate
	for _, c := range cycles {
		for _, st := range c.Steps {
			if st.WaitSite != nil {
				out = append(out, siteCandidate(st.WaitSite, 1, fmt.Sprintf("%s blocks here acquiring %s, held by %s", st.ThreadName, st.LockName, holderName(g, st.Holder))))
			}
			if st.HoldSite != nil {
				why := fmt.Sprintf("%s took %s here and still holds it", holderName(g, st.Holder), st.LockName)
				if st.HoldInferred != "" {
					why += " (inferred from " + st.HoldInferred + ")"
				}
				out = append(out, siteCandidate(st.HoldSite, 0.8, why))
			}
		}
	}
	if len(out) == 0 {
		return sharedStacks(g, start)
	}
	return out
}

func siteCandidate(s *lockgraph.Site, score float64, why string) Candidate {
	return Candidate{File: s.File, Line: s.Line, Function: s.Function, Score: score, Why: why, Node: s.Node}
}

func holderName(g *epg.Graph, thread string) string {
	if i, ok := g.Lookup(thread); ok && g.Node(i).Name != "" {
		return g.Node(i).Name
	}
	return thread
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
