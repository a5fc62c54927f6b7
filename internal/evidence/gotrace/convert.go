package gotrace

import (
	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/internal/evidence"
)

// converter folds the event stream into per-goroutine, per-lock and
// per-pair aggregates; fragment turns them into nodes and edges.
type converter struct {
	in      *evidence.Input
	scope   string
	lim     Limits
	version string

	stacks stacks
	clock  clock
	first  trace.Time // first event
	last   trace.Time // last event
	events int64
	syncs  int64

	gs      map[trace.GoID]*goroutine
	lastG   *goroutine   // the last goroutine looked up
	order   []*goroutine // in order of first sight, for stable output
	locks   map[string]*lockAgg
	lockSeq []*lockAgg
	hbs     map[[2]trace.GoID]*hbAgg
	hbSeq   []*hbAgg
	user    annotations

	gcCount   int64
	gcNs      int64
	gcStart   trace.Time
	reasonKey map[string]reasonKeys

	dropped dropped
}

// dropped counts what a limit cut.
type dropped struct {
	goroutines, locks, events, edges, sites int64
}

// clock converts trace time to Unix nanoseconds using the first clock
// snapshot (Go 1.25+); without one, trace time is kept.
type clock struct {
	wall   bool
	offset int64
}

func (c clock) unix(t trace.Time) int64 { return int64(t) + c.offset }

func newConverter(in *evidence.Input, lim Limits) *converter {
	c := &converter{
		in:        in,
		scope:     in.Scope(),
		lim:       lim,
		gs:        make(map[trace.GoID]*goroutine),
		locks:     make(map[string]*lockAgg),
		hbs:       make(map[[2]trace.GoID]*hbAgg),
		reasonKey: make(map[string]reasonKeys),
	}
	c.version, _ = headerVersion(in.Data)
	c.stacks.reset()
	c.user.init()
	return c
}

// event folds one trace event in. It is the hot loop: most events are
// scheduler transitions that cost a map lookup or two.
func (c *converter) event(ev *trace.Event) {
	t := ev.Time()
	if c.events == 0 {
		c.first = t
	}
	c.events++
	c.last = t
	switch ev.Kind() {
	case trace.EventStateTransition:
		st := ev.StateTransition()
		if st.Resource.Kind == trace.ResourceGoroutine {
			c.transition(ev, &st)
		}
	case trace.EventSync:
		c.syncs++
		c.sync(ev)
	case trace.EventRangeBegin, trace.EventRangeEnd:
		c.rangeEvent(ev)
	case trace.EventTaskBegin, trace.EventTaskEnd:
		c.task(ev)
	case trace.EventRegionBegin, trace.EventRegionEnd:
		c.region(ev)
	case trace.EventLog:
		c.log(ev)
	}
}

// sync starts a generation: stack handles of the last one are dead.
func (c *converter) sync(ev *trace.Event) {
	c.stacks.reset()
	if c.clock.wall {
		return
	}
	if snap := ev.Sync().ClockSnapshot; snap != nil {
		c.clock = clock{wall: true, offset: snap.Wall.UnixNano() - int64(snap.Trace)}
	}
}

// rangeEvent tracks GC cycles (globally) and mark assists (per goroutine).
func (c *converter) rangeEvent(ev *trace.Event) {
	r := ev.Range()
	begin := ev.Kind() == trace.EventRangeBegin
	switch r.Name {
	case "GC concurrent mark phase":
		if begin {
			c.gcStart = ev.Time()
		} else if c.gcStart != 0 {
			c.gcCount++
			c.gcNs += int64(ev.Time() - c.gcStart)
			c.gcStart = 0
		}
	case "GC mark assist":
		if r.Scope.Kind != trace.ResourceGoroutine {
			return
		}
		g := c.goroutine(r.Scope.Goroutine(), ev.Time())
		if g == nil {
			return
		}
		if begin {
			g.assistAt = ev.Time()
		} else if g.assistAt != 0 {
			g.assists++
			g.assistNs += int64(ev.Time() - g.assistAt)
			g.assistAt = 0
		}
	}
}
