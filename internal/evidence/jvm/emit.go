package jvm

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// VerdictType is the exception.type of a deadlock verdict, as the JVM
// words the report's title.
const VerdictType = "Java-level deadlock"

// emitter turns a parsed dump into EPG nodes and edges.
type emitter struct {
	in     *evidence.Input
	d      *dump
	f      *epg.Fragment
	scope  string
	byName map[string]*thread
	locks  map[string]*lock
	order  []*lock // locks in first-seen order
	edges  map[edgeKey]bool
	namer  *namer
}

type edgeKey struct {
	thread, lock string
	kind         epg.EdgeKind
}

func newEmitter(in *evidence.Input, d *dump, f *epg.Fragment) *emitter {
	e := &emitter{in: in, d: d, f: f, scope: in.Scope(), byName: map[string]*thread{},
		locks: map[string]*lock{}, edges: map[edgeKey]bool{}, namer: newNamer(in.SourceRoots)}
	for _, t := range d.threads {
		// Thread names need not be unique; a deadlock report naming a
		// duplicated one is taken to mean the first.
		if _, dup := e.byName[t.name]; !dup {
			e.byName[t.name] = t
		}
	}
	return e
}

func (e *emitter) emit() {
	e.collectLocks()
	nodes, edges := len(e.order)+len(e.d.deadlocks), 0
	for _, t := range e.d.threads {
		nodes += 1 + len(t.frames)
		edges += 2*len(t.frames) + len(t.locks)
	}
	e.f.Nodes = make([]epg.Node, 0, nodes)
	e.f.Edges = make([]epg.Edge, 0, edges)
	for _, t := range e.d.threads {
		e.thread(t)
	}
	for _, l := range e.order {
		l.resolve()
		threads.AppendLock(e.f, threads.Lock{ID: l.id, Name: l.name, Kind: l.kind, Addr: l.addr, Class: l.class})
		if l.expr != "" {
			n := &e.f.Nodes[len(e.f.Nodes)-1]
			n.Attrs = n.Attrs.Set("lock.expr", epg.String(l.expr))
		}
	}
	for _, t := range e.d.threads {
		e.lockEdges(t)
	}
	for i, dl := range e.d.deadlocks {
		e.verdict(i, dl)
	}
}

// threadID returns the node ID of t.
func (e *emitter) threadID(t *thread) string { return epg.ThreadNodeID(e.scope, t.id) }

func (e *emitter) thread(t *thread) {
	n := threads.Node{ID: e.threadID(t), Name: t.name, Service: e.in.Service, Stack: threads.Stack{Frames: t.frames}}
	n.Attrs = threadAttrs(t)
	if e.d.time != 0 {
		n.Start, n.End = e.d.time, e.d.time
		if t.elapsedNs > 0 && t.elapsedNs < e.d.time {
			n.Start = e.d.time - t.elapsedNs
		}
	}
	threads.Append(e.f, n)
}

func threadAttrs(t *thread) epg.Attrs {
	a := make(epg.Attrs, 0, 16)
	a = append(a, epg.Attr{Key: epg.AttrThreadID, Value: epg.String(t.id)})
	state, _ := stateOf(t.state)
	reason := t.state
	if t.state == "" {
		state = statusState(t.status)
		reason = t.status
	}
	if state != "" {
		a = append(a, epg.Attr{Key: epg.AttrThreadState, Value: epg.String(state)})
	}
	if state != "runnable" && reason != "" {
		a = append(a, epg.Attr{Key: epg.AttrThreadWaitFor, Value: epg.String(reason)})
	}
	if t.status != "" {
		a = append(a, epg.Attr{Key: "jvm.thread.status", Value: epg.String(t.status)})
	}
	if t.tid != "" {
		a = append(a, epg.Attr{Key: "jvm.tid", Value: epg.String(t.tid)})
	}
	if t.nid != "" {
		a = append(a, epg.Attr{Key: "jvm.nid", Value: epg.String(t.nid)})
	}
	if n, err := strconv.ParseInt(t.osID, 10, 64); err == nil {
		a = append(a, epg.Attr{Key: "thread.os_id", Value: epg.Int(n)})
	}
	if t.daemon {
		a = append(a, epg.Attr{Key: "thread.daemon", Value: epg.Bool(true)})
	}
	if t.virtual {
		a = append(a, epg.Attr{Key: "thread.virtual", Value: epg.Bool(true)})
	}
	if t.carrying != "" {
		a = append(a, epg.Attr{Key: "thread.carrying", Value: epg.String(t.carrying)})
	}
	if t.prio != nil {
		a = append(a, epg.Attr{Key: "thread.priority", Value: epg.Int(int64(*t.prio))})
	}
	if t.osPrio != nil {
		a = append(a, epg.Attr{Key: "thread.os_priority", Value: epg.Int(int64(*t.osPrio))})
	}
	if t.cpuNs >= 0 {
		a = append(a, epg.Attr{Key: "thread.cpu_ns", Value: epg.Int(t.cpuNs)})
	}
	if t.elapsedNs >= 0 {
		a = append(a, epg.Attr{Key: "thread.elapsed_ns", Value: epg.Int(t.elapsedNs)})
	}
	if t.truncated {
		a = append(a, epg.Attr{Key: "thread.frames" + evidence.TruncatedSuffix, Value: epg.Int(int64(t.nframes))})
	}
	if t.fromDeadlock {
		a = append(a, epg.Attr{Key: "jvm.thread.from", Value: epg.String("deadlock report")})
	}
	return epg.SortAttrs(a)
}

// collectLocks registers every object the threads and reports mention,
// in file order, and offers the namer each place a thread waits for one.
func (e *emitter) collectLocks() {
	for _, t := range e.d.threads {
		for i := range t.locks {
			r := &t.locks[i]
			if r.verb == verbEliminated {
				continue
			}
			l := e.lock(r)
			if l.expr == "" {
				l.expr, l.exprClass = e.namer.name(t.frames, r)
			}
		}
	}
	for _, dl := range e.d.deadlocks {
		for _, en := range dl.entries {
			e.lock(en.wait)
		}
	}
}

// lock returns the lock r names, registering it on first sight.
func (e *emitter) lock(r *lockRef) *lock {
	l, ok := e.locks[r.addr]
	if !ok {
		l = &lock{id: epg.LockNodeID(e.scope, r.addr), addr: r.addr}
		e.locks[r.addr] = l
		e.order = append(e.order, l)
	}
	l.see(r)
	return l
}

// lockEdges adds t's holds and waits edges as its stack states them.
func (e *emitter) lockEdges(t *thread) {
	tid := e.threadID(t)
	released := map[string]bool{} // monitors t waits on: it let them go
	for _, r := range t.locks {
		if r.verb == verbWaitOn || r.verb == verbRelock {
			released[r.addr] = true
		}
	}
	for _, r := range t.locks {
		l := e.locks[r.addr]
		switch r.verb {
		case verbLocked:
			if !released[r.addr] {
				e.edge(threads.Holds(tid, l.id, ""), "")
			}
		case verbOwned:
			e.edge(threads.Holds(tid, l.id, ""), "")
		case verbWaitLock, verbRelock:
			e.edge(threads.Waits(tid, l.id, ""), "")
		case verbWaitOn:
			e.edge(threads.Waits(tid, l.id, ""), "condition")
		case verbPark:
			mode := ""
			if l.kind == kindCondition {
				mode = "condition"
			}
			e.edge(threads.Waits(tid, l.id, ""), mode)
		}
	}
}

// edge adds ed unless an edge of its kind between its ends exists; mode,
// when set, is the waits edge's lock.mode.
func (e *emitter) edge(ed epg.Edge, mode string) {
	k := edgeKey{ed.From, ed.To, ed.Kind}
	if e.edges[k] {
		return
	}
	e.edges[k] = true
	if mode != "" {
		ed.Attrs = ed.Attrs.Set(epg.AttrLockMode, epg.String(mode))
	}
	e.f.Edges = append(e.f.Edges, ed)
}

// verdict adds deadlock report i as a verdict event, with the waits and
// holds edges it states.
func (e *emitter) verdict(i int, dl *deadlock) {
	v := threads.Verdict{
		ID:      "event:" + e.scope + ":deadlock/" + strconv.Itoa(i),
		Type:    epg.EventDeadlock,
		Name:    VerdictType,
		Message: evidence.Clip(dl.msg.String()),
		Time:    e.d.time,
		Service: e.in.Service,
		Attrs:   e.dumpAttrs(),
	}
	v.Attrs = v.Attrs.Set("deadlock.threads", epg.Int(int64(len(dl.entries))))
	seen := map[string]bool{}
	involve := func(id string) {
		if !seen[id] {
			seen[id] = true
			v.Threads = append(v.Threads, id)
		}
	}
	for _, en := range dl.entries {
		waiter := e.threadNamed(en.thread)
		involve(waiter)
		l := e.locks[en.wait.addr]
		e.edge(threads.Waits(waiter, l.id, ""), "")
		if en.holder != "" {
			holder := e.threadNamed(en.holder)
			involve(holder)
			e.edge(threads.Holds(holder, l.id, ""), "")
		}
	}
	threads.AppendVerdict(e.f, v)
}

// threadNamed returns the node ID of the thread called name, adding a
// node for a thread the dump names but does not list.
func (e *emitter) threadNamed(name string) string {
	if t, ok := e.byName[name]; ok {
		return e.threadID(t)
	}
	t := &thread{name: name, id: "name:" + name, cpuNs: -1, elapsedNs: -1}
	e.byName[name] = t
	threads.Append(e.f, threads.Node{ID: e.threadID(t), Name: name, Service: e.in.Service,
		Attrs: epg.Attrs{{Key: epg.AttrThreadID, Value: epg.String(t.id)}}})
	return e.threadID(t)
}

// dumpAttrs describes the dump itself, for the verdict.
func (e *emitter) dumpAttrs() epg.Attrs {
	var a epg.Attrs
	if e.d.vm != "" {
		a = append(a, epg.Attr{Key: "process.runtime.description", Value: epg.String(e.d.vm)})
	}
	if e.d.stamp != "" {
		a = append(a, epg.Attr{Key: "jvm.dump_time", Value: epg.String(e.d.stamp)})
	}
	if n, ok := firstInt(e.d.jniRefs); ok {
		a = append(a, epg.Attr{Key: "jvm.jni_global_refs", Value: epg.Int(n)})
	}
	return epg.SortAttrs(a)
}

// firstInt reads the first decimal number in s ("JNI global refs: 4, weak
// refs: 0", Java 8's "JNI global references: 7").
func firstInt(s string) (int64, bool) {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return 0, false
	}
	j := i
	for j < len(s) && j-i < 18 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(s[i:j], 10, 64)
	return n, err == nil
}
