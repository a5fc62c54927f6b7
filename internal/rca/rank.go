package rca

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/tagdebug/tag/epg"
)

// rank picks the kind's strategy and returns candidates best first.
func rank(g *epg.Graph, start int32, kind string) []Candidate {
	var c []Candidate
	n := g.Node(start)
	switch {
	case n.Kind == epg.KindLock || n.EventType() == epg.EventDeadlock:
		c = lockCycle(g, start)
	case n.EventType() == epg.EventRace:
		c = raceAccesses(g, start)
	case n.EventType() == epg.EventBlocked || n.EventType() == epg.EventLeak:
		c = sharedStacks(g, start)
	case n.Kind == epg.KindEvent:
		c = exceptionChain(g, start)
	}
	if len(c) == 0 {
		c = slowestWork(g, start, kind)
		if kind == "timeout" || kind == "latency" {
			if late := lateWaits(g); len(late) > 0 {
				// The spans only say the time was the handler's own; the
				// snapshot says what it waited for, which is what to fix.
				for i := range c {
					c[i].Score = round(c[i].Score / 2)
				}
				c = append(late, c...)
			}
		}
	}
	return dedupe(c)
}

// exceptionChain ranks the in-app frames of an exception and its causes.
// The innermost cause is where the bad value first appeared, so its top
// in-app frame leads; each level outwards scores less, and within one
// stack each frame further from the throw scores less.
func exceptionChain(g *epg.Graph, start int32) []Candidate {
	chain := []int32{start}
	for cur := start; ; {
		next := g.Children(cur, epg.EdgeCausedBy)
		if len(next) == 0 || slices.Contains(chain, next[0]) {
			break
		}
		cur = next[0]
		chain = append(chain, cur)
	}
	var out []Candidate
	for level := len(chain) - 1; level >= 0; level-- {
		ev := g.Node(chain[level])
		base := 1.0 - 0.2*float64(len(chain)-1-level)
		role := "the exception is thrown here"
		switch {
		case len(chain) > 1 && level == len(chain)-1:
			role = "the innermost cause (" + shortType(ev) + ") is raised here: the bad value first appears"
		case level > 0:
			role = "an intermediate cause (" + shortType(ev) + ") is raised here"
		case len(chain) > 1:
			role = "the outermost exception is thrown here"
		}
		for k, f := range inAppStack(g, chain[level]) {
			why := role
			if k > 0 {
				why = fmt.Sprintf("caller %d of the frame where %s", k, shortType(ev)+" is raised")
			}
			out = append(out, frameCandidate(g.Node(f), max(base, 0.1)*pow(0.7, k), why))
		}
	}
	return out
}

// inAppStack returns the in-app frames of the stack that emitted an
// event, innermost first (all frames when none is in-app).
func inAppStack(g *epg.Graph, ev int32) []int32 {
	var frames []int32
	for _, f := range g.Parents(ev, epg.EdgeEmits) {
		if g.Node(f).Kind != epg.KindFrame {
			continue
		}
		// Frame 0 emits; its callers hang off it by call edges.
		for cur := f; cur >= 0 && len(frames) < 64; {
			frames = append(frames, cur)
			callers := g.Parents(cur, epg.EdgeCall)
			cur = -1
			for _, c := range callers {
				if g.Node(c).Kind == epg.KindFrame && !slices.Contains(frames, c) {
					cur = c
					break
				}
			}
		}
		break
	}
	return keepInApp(g, afterPanic(g, frames))
}

// afterPanic drops the frames inner to a Go panic: a stack captured in a
// recover (debug.Stack in a middleware's deferred function) starts with
// the recovering closure and runtime.gopanic, and the failure is the
// first frame after them.
func afterPanic(g *epg.Graph, frames []int32) []int32 {
	cut := -1
	for i, f := range frames {
		switch g.Node(f).Name {
		case "panic", "runtime.gopanic", "runtime.sigpanic", "runtime.panicmem", "runtime.panicmemAddr",
			"runtime.goPanicIndex", "runtime.goPanicSliceAlen", "runtime.goPanicSliceB", "runtime.panicdivide", "runtime.throw":
			cut = i
		}
	}
	if cut < 0 || cut == len(frames)-1 {
		return frames
	}
	return frames[cut+1:]
}

func keepInApp(g *epg.Graph, frames []int32) []int32 {
	var in []int32
	for _, f := range frames {
		if l := g.Node(f).Loc; l != nil && l.InApp {
			in = append(in, f)
		}
	}
	if len(in) == 0 {
		return frames[:min(len(frames), 3)]
	}
	return in
}

// threadStack returns a thread's own frames (not its creation stack),
// innermost first.
func threadStack(g *epg.Graph, t int32) []int32 {
	var frames []int32
	for _, f := range g.Parents(t, epg.EdgeOn) {
		n := g.Node(f)
		if n.Kind != epg.KindFrame {
			continue
		}
		if v, _ := n.Attr(epg.AttrFrameCreatedBy); v.BoolVal() {
			continue
		}
		frames = append(frames, f)
	}
	slices.SortFunc(frames, func(a, b int32) int { return cmp.Compare(frameIndex(g.Node(a)), frameIndex(g.Node(b))) })
	return frames
}

func frameIndex(n *epg.Node) int64 {
	v, _ := n.Attr(epg.AttrFrameIndex)
	return v.IntVal()
}

func frameCandidate(n *epg.Node, score float64, why string) Candidate {
	c := Candidate{Function: n.Name, Score: round(score), Why: why, Node: n.ID}
	if n.Loc != nil {
		c.File, c.Line = n.Loc.File, n.Loc.Line
		if n.Loc.Function != "" {
			c.Function = n.Loc.Function
		}
	}
	return c
}

// dedupe keeps the best-scored candidate per location, best first.
func dedupe(c []Candidate) []Candidate {
	slices.SortStableFunc(c, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	seen := map[string]bool{}
	out := []Candidate{}
	for _, x := range c {
		k := x.File + ":" + strconv.Itoa(x.Line) + ":" + x.Function
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

func shortType(n *epg.Node) string {
	if t := n.Attrs.Str(epg.AttrExceptionType); t != "" {
		return t
	}
	return n.Name
}

func pow(b float64, k int) float64 {
	r := 1.0
	for range k {
		r *= b
	}
	return r
}

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

func itoa(i int) string { return strconv.Itoa(i) }
