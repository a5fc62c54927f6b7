package gotrace

import (
	"strings"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// annotations holds the runtime/trace tasks, regions and logs.
type annotations struct {
	tasks   map[trace.TaskID]*task
	taskSeq []*task
	regions []*region
	logs    []*logEvent
	open    map[trace.GoID][]*region // regions begun and not ended, innermost last
}

func (a *annotations) init() {
	a.tasks = make(map[trace.TaskID]*task)
	a.open = make(map[trace.GoID][]*region)
}

func (a *annotations) count() int { return len(a.taskSeq) + len(a.regions) + len(a.logs) }

// task is a runtime/trace.Task. Its trace IDs come from OTel logs in it.
type task struct {
	id, parent trace.TaskID
	name       string
	g          *goroutine
	start, end trace.Time // 0: before or after the trace
	ref        epg.TraceRef
	nodeID     string
}

type region struct {
	seq        int
	name       string
	task       trace.TaskID
	g          *goroutine
	start, end trace.Time
	parent     *region
	nodeID     string
}

type logEvent struct {
	seq               int
	task              trace.TaskID
	g                 *goroutine
	t                 trace.Time
	category, message string
	ref               epg.TraceRef // IDs the log itself states
}

// room reports whether another annotation node fits, counting it when not.
func (c *converter) room() bool {
	if c.user.count() >= c.lim.Events {
		c.dropped.events++
		return false
	}
	return true
}

// annotated returns the goroutine running ev, marked as annotated.
func (c *converter) annotated(ev *trace.Event) *goroutine {
	g := c.goroutine(ev.Goroutine(), ev.Time())
	if g != nil {
		g.annotated = true
	}
	return g
}

func (c *converter) task(ev *trace.Event) {
	tk := ev.Task()
	if tk.ID == trace.BackgroundTask || tk.ID == trace.NoTask {
		return
	}
	t := c.user.tasks[tk.ID]
	if t == nil {
		if !c.room() {
			return
		}
		t = &task{id: tk.ID, parent: tk.Parent}
		c.user.tasks[tk.ID] = t
		c.user.taskSeq = append(c.user.taskSeq, t)
	}
	if tk.Type != "" {
		t.name = tk.Type
	}
	if ev.Kind() == trace.EventTaskBegin {
		t.start = ev.Time()
		t.g = c.annotated(ev)
	} else {
		t.end = ev.Time()
		if t.g == nil {
			t.g = c.annotated(ev)
		}
	}
}

func (c *converter) region(ev *trace.Event) {
	rg := ev.Region()
	id := ev.Goroutine()
	stack := c.user.open[id]
	if ev.Kind() == trace.EventRegionBegin {
		if !c.room() {
			return
		}
		r := &region{seq: len(c.user.regions), name: rg.Type, task: rg.Task, g: c.annotated(ev), start: ev.Time()}
		if len(stack) > 0 {
			r.parent = stack[len(stack)-1]
		}
		c.user.regions = append(c.user.regions, r)
		c.user.open[id] = append(stack, r)
		return
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].name == rg.Type {
			stack[i].end = ev.Time()
			c.user.open[id] = stack[:i]
			if i == 0 {
				delete(c.user.open, id)
			}
			return
		}
	}
	// Begun before the trace started.
	if c.room() {
		c.user.regions = append(c.user.regions, &region{seq: len(c.user.regions), name: rg.Type, task: rg.Task, g: c.annotated(ev), end: ev.Time()})
	}
}

func (c *converter) log(ev *trace.Event) {
	if !c.room() {
		return
	}
	lg := ev.Log()
	l := &logEvent{seq: len(c.user.logs), task: lg.Task, g: c.annotated(ev), t: ev.Time(),
		category: lg.Category, message: lg.Message}
	l.ref = otelIDs(lg.Category, lg.Message)
	if t := c.user.tasks[lg.Task]; t != nil {
		if l.ref.TraceID != "" {
			t.ref.TraceID = l.ref.TraceID
		}
		if l.ref.SpanID != "" {
			t.ref.SpanID = l.ref.SpanID
		}
	}
	c.user.logs = append(c.user.logs, l)
}

// otelIDs reads the trace correlation convention of the package doc.
func otelIDs(category, message string) epg.TraceRef {
	msg := strings.TrimSpace(message)
	switch category {
	case "trace_id", "otel.trace_id":
		if id, zero, ok := evidence.NormHex(msg, evidence.TraceIDHex); ok && !zero {
			return epg.TraceRef{TraceID: id}
		}
	case "span_id", "otel.span_id":
		if id, zero, ok := evidence.NormHex(msg, evidence.SpanIDHex); ok && !zero {
			return epg.TraceRef{SpanID: id}
		}
	case "traceparent", "otel.traceparent":
		// version-traceid-spanid-flags, as in the W3C header.
		parts := strings.Split(msg, "-")
		if len(parts) != 4 || len(parts[1]) != evidence.TraceIDHex || len(parts[2]) != evidence.SpanIDHex {
			return epg.TraceRef{}
		}
		tid, tz, tok := evidence.NormHex(parts[1], evidence.TraceIDHex)
		sid, sz, sok := evidence.NormHex(parts[2], evidence.SpanIDHex)
		if tok && sok && !tz && !sz {
			return epg.TraceRef{TraceID: tid, SpanID: sid}
		}
	}
	return epg.TraceRef{}
}

// refOf returns the trace IDs a node in task id carries: the task's, else
// its own.
func (a *annotations) refOf(id trace.TaskID, own epg.TraceRef) epg.TraceRef {
	if t := a.tasks[id]; t != nil && (t.ref.TraceID != "" || t.ref.SpanID != "") {
		return t.ref
	}
	return own
}
