package incident

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/scc"
)

// maxVerdictFrames bounds how many distinct functions of the involved
// threads enter a verdict's fingerprint.
const maxVerdictFrames = 5

// runtimeSignals finds the failures that runtime artifacts describe: lock
// cycles among threads (deadlocks, whether or not the runtime noticed),
// and the verdicts decoders record (deadlock, blocked, leak, race). A
// verdict whose threads sit on a lock cycle is reported once, as the
// deadlock, because the cycle says more than "the test timed out".
func (d *detector) runtimeSignals() []Signal {
	g := d.g
	verdictOf := map[int32]int32{} // thread → first verdict involving it
	var verdicts []int32
	g.Nodes(epg.KindEvent, func(i int32, ev *epg.Node) bool {
		switch ev.EventType() {
		case epg.EventDeadlock, epg.EventBlocked, epg.EventLeak, epg.EventRace:
			verdicts = append(verdicts, i)
			for _, t := range d.involved(i) {
				if _, ok := verdictOf[t]; !ok {
					verdictOf[t] = i
				}
			}
		}
		return true
	})
	var out []Signal
	explained := map[int32]bool{}
	for _, c := range d.lockCycles() {
		node := g.Node(c.locks[0])
		sig := d.cycleSignal(c)
		for _, t := range c.threads {
			if v, ok := verdictOf[t]; ok {
				explained[v] = true
				node = g.Node(v)
				sig.Time = node.Start
				break
			}
		}
		sig.Node = node.ID
		out = append(out, sig)
	}
	for _, v := range verdicts {
		if !explained[v] {
			out = append(out, d.verdictSignal(v))
		}
	}
	return out
}

// involved returns the threads that emit verdict v, sorted by index.
func (d *detector) involved(v int32) []int32 {
	var ts []int32
	for _, p := range d.g.Parents(v, epg.EdgeEmits) {
		if d.g.Node(p).Kind == epg.KindThread {
			ts = append(ts, p)
		}
	}
	slices.Sort(ts)
	return ts
}

// lockCycle is one cycle of the wait-for relation: threads[i] waits for
// locks[i], which threads[i+1] (cyclically) holds.
type lockCycle struct {
	threads []int32
	locks   []int32
}

// lockCycles finds the strongly connected components of the wait-for
// graph (thread T → thread H when T waits for a lock H holds) and returns
// one cycle through each component that has one, including a thread
// waiting for a lock it holds itself.
func (d *detector) lockCycles() []lockCycle {
	g := d.g
	// waitFor[t] lists (lock, holder) pairs for thread t.
	type step struct{ lock, holder int32 }
	waitFor := map[int32][]step{}
	var threads []int32
	g.Nodes(epg.KindThread, func(t int32, _ *epg.Node) bool {
		for _, we := range g.Out(t) {
			if g.Edge(we).Kind != epg.EdgeWaits || !current(g.Edge(we)) {
				continue
			}
			_, l := g.Ends(we)
			if g.Node(l).Kind != epg.KindLock {
				continue
			}
			for _, he := range g.In(l) {
				h, _ := g.Ends(he)
				if g.Edge(he).Kind == epg.EdgeHolds && current(g.Edge(he)) && g.Node(h).Kind == epg.KindThread {
					waitFor[t] = append(waitFor[t], step{l, h})
				}
			}
		}
		if len(waitFor[t]) > 0 {
			threads = append(threads, t)
		}
		return true
	})
	// The wait-for graph's vertices are the waiting threads, then the
	// holders that do not wait, densely numbered for package scc.
	var verts []int32
	vertex := map[int32]int{}
	addVertex := func(t int32) {
		if _, ok := vertex[t]; !ok {
			vertex[t] = len(verts)
			verts = append(verts, t)
		}
	}
	for _, t := range threads {
		addVertex(t)
	}
	for _, t := range threads {
		for _, s := range waitFor[t] {
			addVertex(s.holder)
		}
	}
	comp := map[int32]int{}
	var comps [][]int32
	for _, vc := range scc.Components(len(verts), func(v int) []int {
		var out []int
		for _, s := range waitFor[verts[v]] {
			out = append(out, vertex[s.holder])
		}
		return out
	}) {
		c := make([]int32, len(vc))
		for i, v := range vc {
			c[i] = verts[v]
			comp[verts[v]] = len(comps)
		}
		slices.Sort(c)
		comps = append(comps, c)
	}
	var out []lockCycle
	for ci, c := range comps {
		start := c[0]
		if len(c) == 1 {
			// A lone thread is a cycle only if it waits for itself.
			for _, s := range waitFor[start] {
				if s.holder == start {
					out = append(out, lockCycle{threads: []int32{start}, locks: []int32{s.lock}})
					break
				}
			}
			continue
		}
		// Walk from the lowest thread, always to the lowest successor in
		// the component not yet visited, until the walk closes; a
		// component is strongly connected, so some successor leads home.
		cyc := lockCycle{}
		seen := map[int32]bool{}
		t := start
		for !seen[t] {
			seen[t] = true
			best := step{-1, -1}
			for _, s := range waitFor[t] {
				if comp[s.holder] != ci || (s.holder != start && seen[s.holder]) {
					continue
				}
				if best.holder < 0 || s.holder == start || (best.holder != start && s.holder < best.holder) {
					best = s
				}
			}
			if best.holder < 0 {
				break
			}
			cyc.threads = append(cyc.threads, t)
			cyc.locks = append(cyc.locks, best.lock)
			t = best.holder
		}
		if t == start && len(cyc.locks) > 0 {
			out = append(out, cyc)
		}
	}
	return out
}

// current reports whether a holds or waits edge describes one moment (a
// dump) rather than a summary over time (an execution trace): a wait that
// ended, or a hold deduced from a later release, says nothing about what
// was held while the other thread waited, so such edges cannot close a
// cycle.
func current(e *epg.Edge) bool {
	if e.Attrs.Str(epg.AttrHowInferred) == "unblock" {
		return false
	}
	if v, ok := e.Attrs.Get("wait.pending"); ok && !v.BoolVal() {
		return false
	}
	return true
}

// cycleSignal describes a lock cycle: "double lock of X in F", "AB-BA
// deadlock between X and Y", or "lock-order cycle across N locks: ...".
func (d *detector) cycleSignal(c lockCycle) Signal {
	g := d.g
	var names []string
	for _, l := range c.locks {
		names = append(names, lockName(g.Node(l)))
	}
	var frames []string
	service := ""
	for _, t := range c.threads {
		if fn := d.threadFunction(t); fn != "" {
			frames = append(frames, fn)
		}
		if service == "" {
			service = g.Node(t).Service
		}
	}
	var title string
	switch {
	case len(c.locks) == 1:
		title = "double lock of " + names[0]
		if len(frames) > 0 && !strings.Contains(names[0], frames[0]) {
			title += " in " + shortFunc(frames[0])
		}
	case len(c.locks) == 2:
		a, b := names[0], names[1]
		if b < a {
			a, b = b, a
		}
		title = fmt.Sprintf("AB-BA deadlock between %s and %s", a, b)
	default:
		title = fmt.Sprintf("lock-order cycle across %d locks: %s", len(names), strings.Join(names, " → "))
	}
	frames = sortedDistinct(frames, maxVerdictFrames)
	return Signal{Kind: KindDeadlock, Title: clip(title, 200), ErrorType: "deadlock", Service: service,
		Frames: frames, Fingerprint: fingerprint(KindDeadlock, "lock cycle", frames, service, "", "")}
}

// verdictSignal describes a verdict event that no lock cycle explains.
func (d *detector) verdictSignal(v int32) Signal {
	g := d.g
	ev := g.Node(v)
	ts := d.involved(v)
	var kind Kind
	var label string
	switch ev.EventType() {
	case epg.EventDeadlock:
		kind, label = KindDeadlock, "deadlock"
	case epg.EventBlocked:
		kind, label = KindBlocked, "blocked"
	case epg.EventLeak:
		kind, label = KindLeak, "goroutine leak"
	default:
		kind, label = KindRace, "data race"
	}
	if msg := ev.Attrs.Str(epg.AttrExceptionMsg); kind == KindBlocked && msg != "" {
		label, _, _ = strings.Cut(strings.TrimPrefix(msg, "panic: "), "\n")
	}
	var frames []string
	var title string
	if kind == KindRace {
		frames, title = d.raceSummary(v)
	} else {
		for _, t := range ts {
			if fn := d.threadFunction(t); fn != "" {
				frames = append(frames, fn)
			}
		}
		title = label + ": " + d.threadSummary(ts, kind)
	}
	if title == "" || strings.HasSuffix(title, ": ") {
		title = label
		if msg := ev.Attrs.Str(epg.AttrExceptionMsg); msg != "" && kind != KindBlocked {
			title += ": " + msg
		}
	}
	service := ev.Service
	for _, t := range ts {
		if service == "" {
			service = g.Node(t).Service
		}
	}
	frames = mostCommon(frames, maxVerdictFrames)
	return Signal{Kind: kind, Title: clip(title, 200), ErrorType: string(kind), Service: service, Node: ev.ID,
		TraceID: ev.Trace.TraceID, Time: ev.Start, Frames: frames,
		Fingerprint: fingerprint(kind, string(kind), frames, service, "", Normalize(ev.Attrs.Str(epg.AttrExceptionMsg)))}
}

// threadSummary says where the involved threads are stuck, the largest
// group first: "3 goroutines in chan receive at main.worker, 1 more".
func (d *detector) threadSummary(ts []int32, kind Kind) string {
	if len(ts) == 0 {
		return ""
	}
	type group struct {
		reason, fn string
		n          int
	}
	idx := map[[2]string]int{}
	var groups []group
	goroutines := true
	total := 0
	for _, t := range ts {
		n := d.g.Node(t)
		if !strings.HasPrefix(n.Name, "goroutine") && (n.Loc == nil || n.Loc.Lang != "go") {
			goroutines = false
		}
		// A profile's thread node stands for every goroutine with its stack.
		weight := 1
		if c, ok := n.Attr(epg.AttrCount); ok && c.IntVal() > 1 {
			weight = int(min(c.IntVal(), 1<<30))
		}
		total += weight
		k := [2]string{n.Attrs.Str(epg.AttrThreadWaitFor), shortFunc(d.threadFunction(t))}
		if k[0] == "" {
			k[0] = n.Attrs.Str(epg.AttrThreadState)
		}
		i, ok := idx[k]
		if !ok {
			i = len(groups)
			idx[k] = i
			groups = append(groups, group{reason: k[0], fn: k[1]})
		}
		groups[i].n += weight
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].n > groups[j].n })
	noun := "threads"
	if goroutines {
		noun = "goroutines"
	}
	top := groups[0]
	var b strings.Builder
	if top.n == 1 {
		noun = strings.TrimSuffix(noun, "s")
	}
	verb := "stuck"
	if kind == KindDeadlock {
		verb = "asleep"
	}
	fmt.Fprintf(&b, "%d %s %s", top.n, noun, verb)
	if top.reason != "" {
		fmt.Fprintf(&b, " in %s", top.reason)
	}
	if top.fn != "" {
		fmt.Fprintf(&b, " at %s", top.fn)
	}
	if rest := total - top.n; rest > 0 {
		fmt.Fprintf(&b, " (+%d more)", rest)
	}
	return b.String()
}

// closureRE matches the suffix Go gives closures (".func1", ".func2.1").
var closureRE = regexp.MustCompile(`(\.func\d+)+(\.\d+)*$`)

// raceSummary names the two racing accesses: "data race: (*Cache).Put
// (write) vs (*Cache).Get (read)".
func (d *detector) raceSummary(v int32) ([]string, string) {
	g := d.g
	var parts, frames []string
	for _, a := range g.Children(v, epg.EdgeCausedBy) {
		n := g.Node(a)
		if n.EventType() != epg.EventAccess {
			continue
		}
		fn := ""
		if fs := d.inAppFrames(a); len(fs) > 0 {
			fn = fs[0]
		} else if n.Loc != nil {
			fn = n.Loc.Function
		}
		if fn == "" {
			continue
		}
		// A closure races as its enclosing function: the comparison
		// passed to sort.Slice and the sort itself are one race.
		fn = closureRE.ReplaceAllString(fn, "")
		frames = append(frames, fn)
		p := shortFunc(fn)
		if op := n.Attrs.Str(epg.AttrAccessOp); op != "" {
			p += " (" + op + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return nil, ""
	}
	return sortedDistinct(frames, maxVerdictFrames), "data race: " + strings.Join(parts, " vs ")
}

// threadFunction returns the innermost in-app function thread t was in.
func (d *detector) threadFunction(t int32) string {
	n := d.g.Node(t)
	if n.Loc != nil && n.Loc.Function != "" {
		return n.Loc.Function
	}
	return ""
}

// lockName is the lock's human name, else its ID. A JVM lock named from
// source carries its object in parentheses ("Bank.LEDGER
// (java.lang.Object <0x...>)"); the address only lengthens a title.
func lockName(n *epg.Node) string {
	if n.Name == "" {
		return n.ID
	}
	if i := strings.Index(n.Name, " ("); i > 0 && strings.Contains(n.Name[i:], "<0x") {
		return n.Name[:i]
	}
	return n.Name
}

// shortFunc drops the package path from a qualified function name:
// "github.com/x/store.(*Store).Put" → "store.(*Store).Put".
func shortFunc(fn string) string {
	if i := strings.LastIndexByte(fn, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// sortedDistinct returns the distinct strings of ss, sorted, at most n.
func sortedDistinct(ss []string, n int) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// mostCommon returns the distinct strings of ss ordered by how often they
// occur (ties by name), at most n, so that a leak of 10,000 goroutines in
// one function and one stray goroutine fingerprints by the 10,000.
func mostCommon(ss []string, n int) []string {
	count := map[string]int{}
	for _, s := range ss {
		count[s]++
	}
	out := make([]string, 0, len(count))
	for s := range count {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if count[out[i]] != count[out[j]] {
			return count[out[i]] > count[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > n {
		out = out[:n]
	}
	slices.Sort(out)
	return out
}
