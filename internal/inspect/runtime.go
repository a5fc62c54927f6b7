package inspect

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/epg"
)

// Bounds on runtime evidence: a leak of 100,000 goroutines is shown by
// the first few, which the summary already counts.
const (
	maxEvidenceThreads = 16
	maxThreadFrames    = 3
)

// isRuntimeSignal reports whether node i is a runtime verdict or a lock
// (the signal node of a lock cycle no verdict covers).
func isRuntimeSignal(g *epg.Graph, i int32) bool {
	n := g.Node(i)
	if n.Kind == epg.KindLock {
		return true
	}
	switch n.EventType() {
	case epg.EventDeadlock, epg.EventBlocked, epg.EventLeak, epg.EventRace:
		return true
	}
	return false
}

// runtimeEvidence lists what explains a runtime signal: the verdict, the
// racing accesses, the threads it involves with the locks they hold and
// wait for (the cycle first), and each thread's top frames.
func runtimeEvidence(g *epg.Graph, start int32) []int32 {
	var out []int32
	seen := map[int32]bool{}
	add := func(i int32) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	add(start)
	var threads []int32
	if g.Node(start).Kind == epg.KindLock {
		// A cycle with no verdict: walk waits/holds from the lock.
		g.Walk([]int32{start}, epg.Backward, func(e int32) bool {
			k := g.Edge(e).Kind
			return k == epg.EdgeHolds || k == epg.EdgeWaits
		}, func(n int32, depth int) bool {
			if g.Node(n).Kind == epg.KindThread {
				threads = append(threads, n)
			}
			return depth < 8
		})
	} else {
		for _, a := range g.Children(start, epg.EdgeCausedBy) { // race accesses
			add(a)
			for _, f := range g.Parents(a, epg.EdgeEmits) {
				add(f)
			}
		}
		for _, p := range g.Parents(start, epg.EdgeEmits) {
			if g.Node(p).Kind == epg.KindThread {
				threads = append(threads, p)
			}
		}
	}
	// Threads on a lock (holding or waiting) first: they are the story.
	slices.SortStableFunc(threads, func(a, b int32) int { return lockDegree(g, b) - lockDegree(g, a) })
	for k, t := range threads {
		if k == maxEvidenceThreads {
			break
		}
		add(t)
		for _, e := range g.Out(t) {
			if kd := g.Edge(e).Kind; kd == epg.EdgeHolds || kd == epg.EdgeWaits {
				_, l := g.Ends(e)
				add(l)
			}
		}
		for _, f := range topFrames(g, t, maxThreadFrames) {
			add(f)
		}
	}
	return out
}

func lockDegree(g *epg.Graph, t int32) int {
	return len(g.Children(t, epg.EdgeHolds)) + len(g.Children(t, epg.EdgeWaits))
}

// topFrames returns up to n frames of thread t's own stack, starting at
// the innermost in-app one.
func topFrames(g *epg.Graph, t int32, n int) []int32 {
	var frames []int32
	for _, f := range g.Parents(t, epg.EdgeOn) {
		fn := g.Node(f)
		if fn.Kind != epg.KindFrame || isCreation(fn) {
			continue
		}
		frames = append(frames, f)
	}
	slices.SortFunc(frames, func(a, b int32) int {
		return int(frameIndex(g.Node(a)) - frameIndex(g.Node(b)))
	})
	first := slices.IndexFunc(frames, func(f int32) bool { l := g.Node(f).Loc; return l != nil && l.InApp })
	if first < 0 {
		first = 0
	}
	frames = frames[first:]
	return frames[:min(n, len(frames))]
}

func frameIndex(n *epg.Node) int64 {
	v, _ := n.Attr(epg.AttrFrameIndex)
	return v.IntVal()
}

// threadSummary: "goroutine 7 [sync.Mutex.Lock, 9m0s] in main.(*Store).Transfer".
func threadSummary(n *epg.Node) string {
	s := n.Name
	var st []string
	if r := n.Attrs.Str(epg.AttrThreadWaitFor); r != "" {
		st = append(st, r)
	} else if r := n.Attrs.Str(epg.AttrThreadState); r != "" {
		st = append(st, r)
	}
	if w, ok := n.Attr(epg.AttrThreadWaitNs); ok && w.IntVal() > 0 {
		st = append(st, time.Duration(w.IntVal()).String())
	}
	if len(st) > 0 {
		s += " [" + strings.Join(st, ", ") + "]"
	}
	if n.Loc != nil && n.Loc.Function != "" {
		s += " in " + n.Loc.Function
	}
	return s
}

// lockSummary: "(*Store).mu held by goroutine 7, awaited by goroutine 8".
func lockSummary(g *epg.Graph, n *epg.Node) string {
	i, ok := g.Lookup(n.ID)
	if !ok {
		return n.Name
	}
	names := func(k epg.EdgeKind) string {
		var out []string
		inferred := false
		for _, e := range g.In(i) {
			if g.Edge(e).Kind != k {
				continue
			}
			from, _ := g.Ends(e)
			out = append(out, g.Node(from).Name)
			inferred = inferred || g.Edge(e).Inferred
		}
		if len(out) > 4 {
			out = append(out[:4], fmt.Sprintf("%d more", len(out)-4))
		}
		s := strings.Join(out, ", ")
		if inferred {
			s += " (inferred)"
		}
		return s
	}
	s := n.Name
	if s == "" {
		s = n.ID
	}
	if h := names(epg.EdgeHolds); h != "" {
		s += " held by " + h
	}
	if w := names(epg.EdgeWaits); w != "" {
		s += ", awaited by " + w
	}
	return s
}

func isCreation(n *epg.Node) bool {
	_, ok := n.Attr(epg.AttrFrameCreatedBy)
	return ok
}
