package gotrace

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// maxSitesWritten bounds "block.sites" per thread node.
const maxSitesWritten = 16

// emitter writes the aggregates of a converter as one fragment.
type emitter struct {
	*converter
	f       *epg.Fragment
	base    string                // prefix of this trace's event node IDs
	threads map[*goroutine]string // kept goroutine → thread node ID
	regions map[*region]string
}

func (c *converter) fragment() *epg.Fragment {
	e := &emitter{converter: c, f: &epg.Fragment{Source: c.in.Name, Format: Format},
		threads: make(map[*goroutine]string)}
	e.base = "event:" + c.scope + ":exectrace:" + strconv.FormatInt(c.clock.unix(c.first), 10)
	e.reserve()
	e.pending()
	e.goroutines()
	e.locks()
	e.happensBefore()
	e.annotations()
	e.summary()
	return e.f
}

// reserve sizes the fragment's slices once: a trace of a busy program
// fills them with thousands of annotation nodes, and regrowing slices of
// nodes costs more than the conversion itself.
func (e *emitter) reserve() {
	nodes, edges := 1+len(e.lockSeq)+e.user.count(), len(e.hbSeq)+3*e.user.count()
	for _, g := range e.order {
		if e.gs[g.id] == g {
			nodes += 1 + maxFrames
			edges += 2 * maxFrames
		}
	}
	for _, l := range e.lockSeq {
		edges += len(l.waitSeq) + len(l.holdSeq)
	}
	e.f.Nodes = make([]epg.Node, 0, nodes)
	e.f.Edges = make([]epg.Edge, 0, edges)
}

// pending counts the lock waits still under way at the end of the trace.
func (e *emitter) pending() {
	for _, g := range e.order {
		if e.gs[g.id] != g || g.blockLock == nil {
			continue
		}
		end := e.clock.unix(e.last)
		w := g.blockLock.wait(g, e.clock.unix(g.blockAt), end, int64(e.last-g.blockAt), g.blockStack.lockMode)
		w.pending = true
		w.before = w.before || g.blockedBefore
	}
}

func (e *emitter) goroutines() {
	for _, g := range e.order {
		if e.gs[g.id] != g || !g.interesting() {
			continue
		}
		if len(e.threads) >= e.lim.Goroutines {
			e.dropped.goroutines++
			continue
		}
		id := epg.ThreadNodeID(e.scope, strconv.FormatInt(int64(g.id), 10))
		e.threads[g] = id
		e.thread(g, id)
	}
}

func (e *emitter) thread(g *goroutine, id string) {
	attrs := []epg.Attr{
		{Key: epg.AttrThreadID, Value: epg.String(strconv.FormatInt(int64(g.id), 10))},
		{Key: epg.AttrThreadState, Value: epg.String(stateName(g.state))},
	}
	if g.entry != "" {
		attrs = append(attrs, epg.Attr{Key: "thread.entry", Value: epg.String(g.entry)})
	}
	if top := g.createdBy.topFrame(); top != nil {
		attrs = append(attrs, epg.Attr{Key: epg.AttrThreadCreatedBy, Value: epg.String(g.createdBy.frames[0].Function)})
	}
	if g.creator != trace.NoGoroutine {
		attrs = append(attrs, epg.Attr{Key: "thread.creator_id", Value: epg.String(strconv.FormatInt(int64(g.creator), 10))})
	}
	if g.blockAt != 0 {
		attrs = append(attrs,
			epg.Attr{Key: epg.AttrThreadWaitFor, Value: epg.String(waitReason(g.blockReason, g.blockStack))},
			epg.Attr{Key: epg.AttrThreadWaitNs, Value: epg.Int(int64(e.last - g.blockAt))})
	}
	attrs = e.blockAttrs(g, attrs)
	attrs = appendNonZero(attrs, "syscall.count", g.syscalls)
	attrs = appendNonZero(attrs, "syscall.total_ns", g.syscallNs)
	attrs = appendNonZero(attrs, "gc.assist_count", g.assists)
	attrs = appendNonZero(attrs, "gc.assist_ns", g.assistNs)
	n := threads.Node{ID: id, Name: "goroutine " + strconv.FormatInt(int64(g.id), 10),
		Attrs: epg.SortAttrs(attrs), Start: e.clock.unix(g.start), End: e.clock.unix(cmp.Or(g.end, e.last)),
		Service: e.in.Service}
	switch {
	case g.longestStack != nil:
		n.Stack.Frames = g.longestStack.frames
	case g.blockStack != nil:
		n.Stack.Frames = g.blockStack.frames
	case g.entryStack != nil:
		n.Stack.Frames = g.entryStack.frames
	}
	if g.createdBy != nil {
		n.Stack.CreatedBy = g.createdBy.frames
	}
	threads.Append(e.f, n)
}

// blockAttrs adds the per-reason totals and the busiest block sites.
func (e *emitter) blockAttrs(g *goroutine, attrs []epg.Attr) []epg.Attr {
	var total int64
	for _, r := range g.reasons {
		k := e.keys(r.reason)
		attrs = append(attrs, epg.Attr{Key: k.ns, Value: epg.Int(r.ns)}, epg.Attr{Key: k.count, Value: epg.Int(r.count)})
		total += r.ns
	}
	attrs = appendNonZero(attrs, "block.total_ns", total)
	if len(g.siteSeq) == 0 {
		return attrs
	}
	sites := slices.Clone(g.siteSeq)
	slices.SortStableFunc(sites, func(a, b *blockSite) int { return cmp.Compare(b.total, a.total) })
	if len(sites) > maxSitesWritten {
		attrs = append(attrs, epg.Attr{Key: "block.sites.dropped", Value: epg.Int(int64(len(sites) - maxSitesWritten))})
		sites = sites[:maxSitesWritten]
	}
	vs := make([]epg.Value, len(sites))
	for i, s := range sites {
		vs[i] = epg.Map(epg.SortAttrs([]epg.Attr{
			{Key: "reason", Value: epg.String(s.reason)},
			{Key: "site", Value: epg.String(s.site)},
			{Key: "function", Value: epg.String(s.fn)},
			{Key: "count", Value: epg.Int(s.count)},
			{Key: "total_ns", Value: epg.Int(s.total)},
			{Key: "max_ns", Value: epg.Int(s.max)},
		})...)
	}
	return append(attrs, epg.Attr{Key: "block.sites", Value: epg.Array(vs...)})
}

// reasonKeys are the attribute keys of one block reason.
type reasonKeys struct{ ns, count string }

// keys turns a trace block reason into attribute keys:
// "chan receive" → block.chan_receive_ns, block.chan_receive_count.
func (c *converter) keys(reason string) reasonKeys {
	if k, ok := c.reasonKey[reason]; ok {
		return k
	}
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(reason) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	slug := cmp.Or(b.String(), "unknown")
	k := reasonKeys{ns: "block." + slug + "_ns", count: "block." + slug + "_count"}
	c.reasonKey[reason] = k
	return k
}

// waitReason words a wait the way a goroutine dump does when the stack
// says which lock; the trace itself only says "sync".
func waitReason(reason string, si *stackInfo) string {
	if si != nil && si.lockKind != "" {
		switch {
		case si.lockKind == "mutex":
			return "sync.Mutex.Lock"
		case si.lockMode == "read":
			return "sync.RWMutex.RLock"
		default:
			return "sync.RWMutex.Lock"
		}
	}
	return reason
}

func stateName(s trace.GoState) string {
	switch s {
	case trace.GoRunning:
		return "running"
	case trace.GoRunnable:
		return "runnable"
	case trace.GoWaiting:
		return "waiting"
	case trace.GoSyscall:
		return "syscall"
	case trace.GoNotExist:
		return "dead"
	}
	return "unknown"
}

func appendNonZero(attrs []epg.Attr, key string, v int64) []epg.Attr {
	if v == 0 {
		return attrs
	}
	return append(attrs, epg.Attr{Key: key, Value: epg.Int(v)})
}

func (e *emitter) locks() {
	for _, l := range e.lockSeq {
		threads.AppendLock(e.f, threads.Lock{ID: l.id, Name: l.name, Kind: l.kind})
		n := &e.f.Nodes[len(e.f.Nodes)-1]
		n.Service = e.in.Service
		attrs := append(slices.Clone(n.Attrs),
			epg.Attr{Key: "lock.site", Value: epg.String(l.fn + " " + l.site)},
			epg.Attr{Key: "lock.wait.count", Value: epg.Int(l.count)},
			epg.Attr{Key: "lock.wait.total_ns", Value: epg.Int(l.total)},
			epg.Attr{Key: "lock.wait.max_ns", Value: epg.Int(l.max)},
			epg.Attr{Key: "lock.waiters", Value: epg.Int(int64(len(l.waitSeq)))})
		n.Attrs = epg.SortAttrs(attrs)
		if file, line, ok := splitSite(l.site); ok {
			n.Loc = &epg.Location{File: file, Line: line, Function: l.fn, Lang: "go"}
		}
		e.lockEdges(l)
	}
}

func (e *emitter) lockEdges(l *lockAgg) {
	for _, w := range l.waitSeq {
		tid, ok := e.threads[w.g]
		if !ok {
			continue
		}
		ed := threads.Waits(tid, l.id, "")
		attrs := []epg.Attr{
			{Key: "wait.count", Value: epg.Int(w.count)},
			{Key: "wait.total_ns", Value: epg.Int(w.total)},
			{Key: "wait.max_ns", Value: epg.Int(w.max)},
			{Key: "wait.first_unix_nano", Value: epg.Int(w.first)},
			{Key: "wait.last_unix_nano", Value: epg.Int(w.last)},
		}
		if w.mode != "" {
			attrs = append(attrs, epg.Attr{Key: epg.AttrLockMode, Value: epg.String(w.mode)})
		}
		if w.pending {
			attrs = append(attrs, epg.Attr{Key: "wait.pending", Value: epg.Bool(true)})
		}
		if w.before {
			attrs = append(attrs, epg.Attr{Key: "wait.began_before_trace", Value: epg.Bool(true)})
		}
		ed.Attrs = epg.SortAttrs(attrs)
		e.f.Edges = append(e.f.Edges, ed)
	}
	for _, h := range l.holdSeq {
		tid, ok := e.threads[h.g]
		if !ok {
			continue
		}
		ed := threads.Holds(tid, l.id, "unblock")
		ed.Attrs = epg.SortAttrs(append(slices.Clone(ed.Attrs),
			epg.Attr{Key: epg.AttrCount, Value: epg.Int(h.count)},
			epg.Attr{Key: "hold.first_unix_nano", Value: epg.Int(h.first)},
			epg.Attr{Key: "hold.last_unix_nano", Value: epg.Int(h.last)}))
		e.f.Edges = append(e.f.Edges, ed)
	}
}

func splitSite(site string) (string, int, bool) {
	i := strings.LastIndexByte(site, ':')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(site[i+1:])
	return site[:i], n, err == nil
}

func (e *emitter) happensBefore() {
	for _, h := range e.hbSeq {
		from, ok1 := e.threads[h.from]
		to, ok2 := e.threads[h.to]
		if !ok1 || !ok2 {
			continue
		}
		attrs := []epg.Attr{{Key: epg.AttrCount, Value: epg.Int(h.count)}}
		if h.created != 0 {
			attrs = append(attrs, epg.Attr{Key: "go.create_unix_nano", Value: epg.Int(e.clock.unix(h.created))})
		}
		if h.unblocks > 0 {
			attrs = append(attrs,
				epg.Attr{Key: "unblock.count", Value: epg.Int(h.unblocks)},
				epg.Attr{Key: "unblock.reason", Value: epg.String(h.reasons[0])},
				epg.Attr{Key: "unblock.first_unix_nano", Value: epg.Int(h.first)},
				epg.Attr{Key: "unblock.last_unix_nano", Value: epg.Int(h.last)})
			if len(h.reasons) > 1 {
				vs := make([]epg.Value, len(h.reasons))
				for i, r := range h.reasons {
					vs[i] = epg.String(r)
				}
				attrs = append(attrs, epg.Attr{Key: "unblock.reasons", Value: epg.Array(vs...)})
			}
		}
		e.f.Edges = append(e.f.Edges, epg.Edge{From: from, To: to, Kind: epg.EdgeHappensBefore, Attrs: epg.SortAttrs(attrs)})
	}
}

// event appends an event node of the trace's, emitted by its goroutine.
func (e *emitter) event(id, typ, name string, g *goroutine, start, end trace.Time, ref epg.TraceRef, attrs []epg.Attr) {
	attrs = append(attrs, epg.Attr{Key: epg.AttrEventType, Value: epg.String(typ)})
	if end == 0 {
		// Begun and not ended within the trace.
		attrs = append(attrs, epg.Attr{Key: "event.unfinished", Value: epg.Bool(true)})
	}
	n := epg.Node{ID: id, Kind: epg.KindEvent, Name: name, Attrs: epg.SortAttrs(attrs), Trace: ref, Service: e.in.Service}
	if start != 0 {
		n.Start = e.clock.unix(start)
	}
	if end != 0 {
		n.End = e.clock.unix(end)
	}
	if tid, ok := e.threads[g]; ok {
		n.Thread = tid
		e.f.Edges = append(e.f.Edges, epg.Edge{From: tid, To: id, Kind: epg.EdgeEmits})
	}
	e.f.Nodes = append(e.f.Nodes, n)
}

// taskID returns the node ID of t, made once: a task's regions and logs
// all name it.
func (e *emitter) taskID(t *task) string {
	if t.nodeID == "" {
		t.nodeID = e.base + "/task/" + strconv.FormatUint(uint64(t.id), 10)
	}
	return t.nodeID
}

func (e *emitter) annotations() {
	u := &e.user
	for _, t := range u.taskSeq {
		attrs := make([]epg.Attr, 1, 5)
		attrs[0] = epg.Attr{Key: "task.id", Value: epg.Int(int64(t.id))}
		if p := u.tasks[t.parent]; p != nil {
			attrs = append(attrs, epg.Attr{Key: "task.parent_id", Value: epg.Int(int64(t.parent))})
			e.f.Edges = append(e.f.Edges, epg.Edge{From: e.taskID(p), To: e.taskID(t), Kind: epg.EdgeCall})
		}
		attrs = evidence.AppendClipped(attrs, "task.name", t.name)
		e.event(e.taskID(t), "task", evidence.Clip(t.name), t.g, t.start, t.end, t.ref, attrs)
	}
	for _, r := range u.regions {
		id := e.base + "/region/" + strconv.Itoa(r.seq)
		r.nodeID = id
		attrs := evidence.AppendClipped(make([]epg.Attr, 0, 5), "region.name", r.name)
		switch {
		case r.parent != nil:
			e.f.Edges = append(e.f.Edges, epg.Edge{From: r.parent.nodeID, To: id, Kind: epg.EdgeCall})
		case u.tasks[r.task] != nil:
			e.f.Edges = append(e.f.Edges, epg.Edge{From: e.taskID(u.tasks[r.task]), To: id, Kind: epg.EdgeCall})
		}
		if u.tasks[r.task] != nil {
			attrs = append(attrs, epg.Attr{Key: "task.id", Value: epg.Int(int64(r.task))})
		}
		e.event(id, "region", evidence.Clip(r.name), r.g, r.start, r.end, u.refOf(r.task, epg.TraceRef{}), attrs)
	}
	for _, l := range u.logs {
		id := e.base + "/log/" + strconv.Itoa(l.seq)
		attrs := evidence.AppendClipped(make([]epg.Attr, 0, 7), "log.category", l.category)
		attrs = evidence.AppendClipped(attrs, "log.message", l.message)
		if t := u.tasks[l.task]; t != nil {
			attrs = append(attrs, epg.Attr{Key: "task.id", Value: epg.Int(int64(l.task))})
			e.f.Edges = append(e.f.Edges, epg.Edge{From: e.taskID(t), To: id, Kind: epg.EdgeEmits})
		}
		name := l.category
		if name == "" {
			name = "log"
		}
		e.event(id, epg.EventLog, evidence.Clip(name), l.g, l.t, l.t, u.refOf(l.task, l.ref), attrs)
	}
}

func (e *emitter) summary() {
	clockName := "trace"
	if e.clock.wall {
		clockName = "wall"
	}
	attrs := []epg.Attr{
		{Key: "go.version", Value: epg.String(e.version)},
		{Key: "trace.events", Value: epg.Int(e.events)},
		{Key: "trace.clock", Value: epg.String(clockName)},
		{Key: "trace.goroutines", Value: epg.Int(int64(len(e.threads)))},
		{Key: "trace.locks", Value: epg.Int(int64(len(e.lockSeq)))},
		{Key: "gc.count", Value: epg.Int(e.gcCount)},
		{Key: "gc.total_ns", Value: epg.Int(e.gcNs)},
	}
	attrs = appendNonZero(attrs, "dropped.goroutines", e.dropped.goroutines)
	attrs = appendNonZero(attrs, "dropped.locks", e.dropped.locks)
	attrs = appendNonZero(attrs, "dropped.events", e.dropped.events)
	attrs = appendNonZero(attrs, "dropped.edges", e.dropped.edges)
	attrs = appendNonZero(attrs, "dropped.block_sites", e.dropped.sites)
	e.f.Nodes = append(e.f.Nodes, epg.Node{ID: e.base, Kind: epg.KindEvent, Name: "go execution trace",
		Attrs: epg.SortAttrs(append(attrs, epg.Attr{Key: epg.AttrEventType, Value: epg.String("trace")})),
		Start: e.clock.unix(e.first), End: e.clock.unix(e.last), Service: e.in.Service})
}
