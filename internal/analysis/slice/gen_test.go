package slice_test

import (
	"math/rand/v2"
	"strconv"

	"github.com/tagdebug/tag/epg"
)

// genGraph generates a synthetic incident EPG with the shape real evidence
// has: distributed traces (spans in call trees across services, sibling
// order, async follows_from links between traces, io to shared
// resources), logs emitted by and correlated with spans and ordered per
// thread, sampled stacks whose frames run on pooled threads and allocate
// heap objects (referenced along a tree with some sharing), exceptions
// with causes, and threads that hold and wait for locks. Every node is
// reachable by some edge; most have several.
type genGraph struct {
	g *epg.Graph
	// exceptions and blocked list failure events to slice from.
	exceptions, blocked []int32
}

// genSize sets the amount generated: traces and the per-service pools.
type genSize struct {
	traces   int
	services int
	threads  int // per service
	locks    int // per service
	seed     uint64
}

type gen struct {
	r    *rand.Rand
	sz   genSize
	frag *epg.Fragment
	// per service: the heap objects so far, and the last log per thread
	objects  [][]string
	shared   [][]string
	region   []string // objects allocated by the current trace
	lastLog  []string // the current trace's last log per thread
	spans    []string // every span so far, for follows_from
	blocked  []string
	excIDs   []string
	exceptN  int
	objectN  int
	resource []string
}

func generate(sz genSize) *genGraph {
	gn := &gen{r: rand.New(rand.NewPCG(sz.seed, 7)), sz: sz, frag: &epg.Fragment{Source: "gen"}}
	gn.objects = make([][]string, sz.services)
	gn.shared = make([][]string, sz.services)
	for s := range sz.services {
		for i := range 10 {
			id := "object:shared:" + strconv.Itoa(s) + ":" + strconv.Itoa(i)
			gn.node(id, epg.KindObject, "Config")
			gn.shared[s] = append(gn.shared[s], id)
		}
		for t := range sz.threads {
			gn.node(gn.thread(s, t), epg.KindThread, "thread "+strconv.Itoa(t))
		}
		for l := range sz.locks {
			gn.node(gn.lock(s, l), epg.KindLock, "lock "+strconv.Itoa(l))
		}
	}
	for i := range 24 {
		id := "resource:db" + strconv.Itoa(i)
		gn.resource = append(gn.resource, id)
		gn.node(id, epg.KindResource, id)
	}
	for t := range sz.traces {
		gn.trace(t)
	}
	b := epg.NewBuilder()
	b.Add(gn.frag)
	out := &genGraph{g: b.Build()}
	for _, id := range gn.excIDs {
		i, _ := out.g.Lookup(id)
		out.exceptions = append(out.exceptions, i)
	}
	for _, id := range gn.blocked {
		i, _ := out.g.Lookup(id)
		out.blocked = append(out.blocked, i)
	}
	return out
}

func (gn *gen) node(id string, k epg.NodeKind, name string) {
	gn.frag.Nodes = append(gn.frag.Nodes, epg.Node{ID: id, Kind: k, Name: name})
}

func (gn *gen) edge(from, to string, k epg.EdgeKind) {
	gn.frag.Edges = append(gn.frag.Edges, epg.Edge{From: from, To: to, Kind: k})
}

func (gn *gen) thread(s, t int) string {
	return "thread:svc" + strconv.Itoa(s) + ":" + strconv.Itoa(t)
}

func (gn *gen) lock(s, l int) string {
	return "lock:svc" + strconv.Itoa(s) + ":" + strconv.Itoa(l)
}

func (gn *gen) trace(t int) {
	r := gn.r
	prefix := "span:" + strconv.FormatInt(int64(t), 16) + ":"
	gn.region = gn.region[:0]
	gn.lastLog = gn.lastLog[:0]
	n := 6 + r.IntN(14)
	ids := make([]string, n)
	svc := make([]int, n)
	lastChild := make([]int, n)
	for j := range n {
		ids[j] = prefix + strconv.Itoa(j)
		gn.node(ids[j], epg.KindSpan, "op"+strconv.Itoa(r.IntN(40)))
		lastChild[j] = -1
		if j == 0 {
			svc[j] = r.IntN(gn.sz.services)
			if len(gn.spans) > 0 && r.IntN(4) == 0 {
				gn.edge(gn.spans[len(gn.spans)-1-r.IntN(min(len(gn.spans), 2000))], ids[j], epg.EdgeFollowsFrom)
			}
		} else {
			p := j - 1 - r.IntN(min(j, 3))
			svc[j] = svc[p]
			if r.IntN(3) == 0 {
				svc[j] = r.IntN(gn.sz.services)
			}
			gn.edge(ids[p], ids[j], epg.EdgeCall)
			if c := lastChild[p]; c >= 0 {
				gn.edge(ids[c], ids[j], epg.EdgeHappensBefore)
			}
			lastChild[p] = j
		}
		if r.IntN(5) < 2 {
			gn.edge(ids[j], gn.resource[r.IntN(len(gn.resource))], epg.EdgeIO)
		}
		gn.spanBody(ids[j], svc[j])
	}
	gn.spans = append(gn.spans, ids...)
}

// spanBody adds a span's sampled stack, its logs and perhaps an exception
// or a blocked thread.
func (gn *gen) spanBody(span string, s int) {
	r := gn.r
	th := r.IntN(gn.sz.threads)
	thread := gn.thread(s, th)
	depth := 4 + r.IntN(9)
	var frames []string
	for f := range depth {
		id := span + "/frame/" + strconv.Itoa(f)
		frames = append(frames, id)
		gn.node(id, epg.KindFrame, "fn"+strconv.Itoa(r.IntN(500)))
		gn.edge(id, thread, epg.EdgeOn)
		if f > 0 {
			gn.edge(id, frames[f-1], epg.EdgeCall)
		}
		for range r.IntN(4) {
			gn.alloc(id, s)
		}
	}
	leaf := frames[0]
	logs := 1 + r.IntN(3)
	for l := range logs {
		id := span + "/log/" + strconv.Itoa(l)
		gn.node(id, epg.KindEvent, "log")
		gn.edge(span, id, epg.EdgeEmits)
		gn.edge(id, span, epg.EdgeCorrelates)
		gn.edge(frames[r.IntN(len(frames))], id, epg.EdgeEmits)
		// The trace's logs in time order, and now and then a log that
		// answers an earlier one (a channel, a queue, a callback).
		if n := len(gn.lastLog); n > 0 {
			gn.edge(gn.lastLog[n-1], id, epg.EdgeHappensBefore)
			if n > 1 && r.IntN(2) == 0 {
				gn.edge(gn.lastLog[r.IntN(n-1)], id, epg.EdgeHappensBefore)
			}
		}
		gn.lastLog = append(gn.lastLog, id)
	}
	switch x := r.IntN(100); {
	case x < 4:
		gn.exception(span, leaf, s)
	case x < 5:
		gn.block(span, thread, s)
	}
}

func (gn *gen) alloc(frame string, s int) {
	r := gn.r
	id := "object:" + strconv.Itoa(gn.objectN)
	gn.objectN++
	gn.node(id, epg.KindObject, "T"+strconv.Itoa(r.IntN(60)))
	gn.edge(frame, id, epg.EdgeAlloc)
	objs := gn.objects[s]
	if n := len(gn.region); n > 0 {
		// Held by an earlier object of the request...
		gn.edge(gn.region[r.IntN(n)], id, epg.EdgeRef)
		// ...with fields pointing back into the request's object graph.
		for range 2 + r.IntN(7) {
			gn.edge(id, gn.region[r.IntN(n)], epg.EdgeRef)
		}
	} else if len(objs) > 0 {
		// The request's first object is held by an older one (a
		// session, a cache entry).
		gn.edge(objs[r.IntN(len(objs))], id, epg.EdgeRef)
	}
	// Now and then a field points at a shared object.
	if r.IntN(3) == 0 {
		gn.edge(id, gn.shared[s][r.IntN(len(gn.shared[s]))], epg.EdgeRef)
	}
	gn.objects[s] = append(objs, id)
	gn.region = append(gn.region, id)
}

func (gn *gen) exception(span, leaf string, s int) {
	r := gn.r
	id := "event:exc:" + strconv.Itoa(gn.exceptN)
	gn.exceptN++
	gn.node(id, epg.KindEvent, "Exception")
	gn.edge(span, id, epg.EdgeEmits)
	gn.edge(leaf, id, epg.EdgeEmits)
	if n := len(gn.region); n > 0 && r.IntN(2) == 0 {
		// The bad value, one of the request's own.
		gn.edge(id, gn.region[r.IntN(n)], epg.EdgeCausedBy)
	}
	if len(gn.excIDs) > 0 && r.IntN(5) == 0 {
		gn.edge(id, gn.excIDs[len(gn.excIDs)-1], epg.EdgeCausedBy)
	}
	gn.excIDs = append(gn.excIDs, id)
}

func (gn *gen) block(span, thread string, s int) {
	r := gn.r
	id := "event:blocked:" + strconv.Itoa(len(gn.blocked))
	gn.node(id, epg.KindEvent, "blocked")
	gn.edge(thread, id, epg.EdgeEmits)
	gn.edge(span, id, epg.EdgeEmits)
	l := gn.lock(s, r.IntN(gn.sz.locks))
	gn.edge(thread, l, epg.EdgeWaits)
	holder := gn.thread(s, r.IntN(gn.sz.threads))
	gn.edge(holder, l, epg.EdgeHolds)
	gn.blocked = append(gn.blocked, id)
}
