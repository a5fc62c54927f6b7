package godump

import (
	"context"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// A race report, as ThreadSanitizer's Go mode prints it:
//
//	==================
//	WARNING: DATA RACE
//	Read at 0x00c00009e008 by goroutine 8:
//	  main.(*Cache).Get()
//	      /src/main.go:27 +0x44
//
//	Previous write at 0x00c00009e008 by goroutine 7:
//	  ...
//
//	Goroutine 8 (running) created at:
//	  main.main()
//	      /src/main.go:40 +0x228
//	==================
//
// Accesses may be "Atomic", carry "of size N", be made "by main
// goroutine" or "by thread T1", and list "(mutexes: write M1)";
// "Location is ..." and "Mutex M1 (...) created at:" blocks may follow.

// access is one memory access of a report.
type access struct {
	op       string // "read" or "write"
	atomic   bool
	previous bool
	addr     string // as printed
	gid      string // goroutine number; "1" for the main goroutine
	frames   []frame
	failed   bool // "[failed to restore the stack]"
}

// raceReport is one WARNING: DATA RACE block.
type raceReport struct {
	line     int
	accesses []access
	location string
}

// raceThread is what the reports say about one goroutine.
type raceThread struct {
	gid     string
	state   string // "running", "dead" (finished), "" when not said
	created []frame
}

// raceFile is everything a race output says.
type raceFile struct {
	reports []raceReport
	threads []*raceThread
	byGID   map[string]*raceThread
}

func (rf *raceFile) thread(gid string) *raceThread {
	if t, ok := rf.byGID[gid]; ok {
		return t
	}
	t := &raceThread{gid: gid}
	rf.byGID[gid] = t
	rf.threads = append(rf.threads, t)
	return t
}

// Decode maps every race report of in to a fragment.
func (*RaceDecoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	p := &parser{in: in, s: lineScanner{text: string(in.Data)}}
	rf, err := p.races()
	if err != nil {
		return nil, err
	}
	if len(rf.reports) == 0 {
		return nil, evidence.Errorf(in, 0, "no race report found (want \"WARNING: DATA RACE\")")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := &emitter{in: in, scope: in.Scope(), f: &epg.Fragment{Source: in.Name, Format: FormatRace}}
	e.races(rf)
	return e.f, nil
}

// races reads every report; lines outside reports (test output) are
// skipped.
func (p *parser) races() (*raceFile, error) {
	rf := &raceFile{byGID: map[string]*raceThread{}}
	var cur *raceReport
	for p.s.scan() {
		l := p.s.line
		switch {
		case l == "WARNING: DATA RACE":
			rf.reports = append(rf.reports, raceReport{line: p.s.num})
			cur = &rf.reports[len(rf.reports)-1]
		case cur == nil:
		case strings.HasPrefix(l, "=================="):
			cur = nil
		case isAccessHeader(l):
			a := parseAccess(l)
			var err error
			if a.frames, a.failed, err = p.raceStack(); err != nil {
				return nil, err
			}
			rf.thread(a.gid)
			cur.accesses = append(cur.accesses, a)
		case strings.HasPrefix(l, "Goroutine ") && strings.HasSuffix(l, " created at:"):
			gid, st, ok := raceGoroutine(l)
			if !ok {
				return nil, p.errorf("malformed race goroutine line")
			}
			fs, _, err := p.raceStack()
			if err != nil {
				return nil, err
			}
			t := rf.thread(gid)
			if t.created == nil {
				t.state, t.created = st, fs
			}
		case strings.HasPrefix(l, "Location is "):
			cur.location = evidence.Clip(strings.TrimSuffix(l, ":"))
			if strings.HasSuffix(l, ":") {
				if _, _, err := p.raceStack(); err != nil {
					return nil, err
				}
			}
		case strings.HasSuffix(l, " created at:"), strings.HasSuffix(l, " at:"):
			// "Mutex M1 (0x...) created at:", "Thread T1 (...) created by
			// main thread at:": stacks of things other than accesses.
			if _, _, err := p.raceStack(); err != nil {
				return nil, err
			}
		}
	}
	return rf, nil
}

// raceStack reads the frames under a report line: function lines
// indented by two spaces, each followed by its file line.
func (p *parser) raceStack() (fs []frame, failed bool, err error) {
	for {
		l, ok := p.s.peek()
		if !ok || !strings.HasPrefix(l, "  ") {
			return fs, failed, nil
		}
		t := strings.TrimLeft(l, " ")
		if t == "[failed to restore the stack]" {
			p.s.scan()
			failed = true
			continue
		}
		fn, args, ok := splitCall(t)
		if !ok {
			p.s.scan()
			return nil, false, p.errorf("race report stack line is not a call")
		}
		p.s.scan()
		f, err := p.location(fn, args, "")
		if err != nil {
			return nil, false, err
		}
		if len(fs) < stacktrace.MaxFrames {
			fs = append(fs, f)
		}
	}
}

// isAccessHeader matches "Read at 0x... by goroutine 7:" and its
// variants (Previous, Atomic, "of size N", main goroutine, thread T1,
// "(mutexes: ...)").
func isAccessHeader(l string) bool {
	if !strings.HasSuffix(l, ":") || !strings.Contains(l, " by ") {
		return false
	}
	l = strings.TrimPrefix(l, "Previous ")
	l = strings.TrimPrefix(strings.TrimPrefix(l, "Atomic "), "atomic ")
	for _, op := range []string{"Read ", "Write ", "read ", "write "} {
		if strings.HasPrefix(l, op) {
			rest := l[len(op):]
			return strings.HasPrefix(rest, "at ") || strings.HasPrefix(rest, "of size ")
		}
	}
	return false
}

// parseAccess reads a line isAccessHeader accepted.
func parseAccess(l string) access {
	var a access
	l = strings.TrimSuffix(l, ":")
	if r, ok := strings.CutPrefix(l, "Previous "); ok {
		l, a.previous = r, true
	}
	for _, p := range []string{"Atomic ", "atomic "} {
		if r, ok := strings.CutPrefix(l, p); ok {
			l, a.atomic = r, true
		}
	}
	a.op = "read"
	if l[0] == 'W' || l[0] == 'w' {
		a.op = "write"
	}
	if _, r, ok := strings.Cut(l, " at "); ok {
		a.addr, _, _ = strings.Cut(r, " ")
		a.addr = evidence.Clip(a.addr)
	}
	_, by, _ := strings.Cut(l, " by ")
	if i := strings.Index(by, " (mutexes:"); i >= 0 {
		by = by[:i]
	}
	switch {
	case by == "main goroutine":
		a.gid = "1"
	case strings.HasPrefix(by, "goroutine "):
		a.gid = by[len("goroutine "):]
	case strings.HasPrefix(by, "thread "):
		a.gid = by[len("thread "):]
	default:
		a.gid = by
	}
	a.gid = evidence.Clip(a.gid)
	return a
}

// raceGoroutine reads "Goroutine 7 (running) created at:".
func raceGoroutine(l string) (gid, st string, ok bool) {
	rest := strings.TrimSuffix(strings.TrimPrefix(l, "Goroutine "), " created at:")
	gid, paren, _ := strings.Cut(rest, " ")
	if !digitsOnly(gid) || len(gid) > maxIDDigits {
		return "", "", false
	}
	switch paren {
	case "(running)":
		st = "running"
	case "(finished)":
		st = "dead"
	}
	return gid, st, true
}

// races appends threads, accesses and one verdict per report.
func (e *emitter) races(rf *raceFile) {
	for _, t := range rf.threads {
		attrs := epg.Attrs(nil)
		if len(t.created) > 0 {
			attrs = append(attrs, epg.Attr{Key: epg.AttrThreadCreatedBy, Value: epg.String(t.created[0].Function)})
		}
		attrs = append(attrs, epg.Attr{Key: epg.AttrThreadID, Value: epg.String(t.gid)})
		if t.state != "" {
			attrs = append(attrs, epg.Attr{Key: epg.AttrThreadState, Value: epg.String(t.state)})
		}
		threads.Append(e.f, threads.Node{ID: e.threadID(t.gid), Name: "goroutine " + t.gid, Attrs: attrs,
			Service: e.in.Service, Stack: threads.Stack{CreatedBy: plain(t.created)}})
	}
	for n := range rf.reports {
		e.race(&rf.reports[n], n)
	}
}

// race appends one report's access events and verdict.
func (e *emitter) race(r *raceReport, n int) {
	v := threads.Verdict{ID: e.eventID("race:" + itoa(n)), Type: epg.EventRace, Name: "DATA RACE",
		Time: e.in.Time, Service: e.in.Service}
	var fns []string
	var addr string
	var causes []string
	for k := range r.accesses {
		a := &r.accesses[k]
		id := v.ID + ":access:" + itoa(k)
		tid := e.threadID(a.gid)
		e.access(a, id, tid)
		causes = append(causes, id)
		if !contains(v.Threads, tid) {
			v.Threads = append(v.Threads, tid)
		}
		if addr == "" {
			addr = a.addr
		}
		fn := "an unknown function"
		if top := threads.FirstInApp(plain(a.frames)); top != nil {
			fn = top.Function
		}
		fns = append(fns, fn)
	}
	v.Message = "data race on " + addr
	if len(fns) > 0 {
		v.Message += " between " + strings.Join(fns, " and ")
	}
	if r.location != "" {
		v.Attrs = v.Attrs.Set("race.location", epg.String(r.location))
	}
	threads.AppendVerdict(e.f, v)
	if len(r.accesses) > 0 {
		if top := threads.FirstInApp(plain(r.accesses[0].frames)); top != nil {
			e.f.Nodes[len(e.f.Nodes)-1].Loc = threads.Loc(top)
		}
	}
	for _, c := range causes {
		e.f.Edges = append(e.f.Edges, epg.Edge{From: v.ID, To: c, Kind: epg.EdgeCausedBy})
	}
}

// access appends the access event and its stack, laid out as
// threads.Append lays out a thread's frames (index attribute, call
// edges caller→callee, on edges to the thread) but under the event's
// ID, since one goroutine can make several accesses.
func (e *emitter) access(a *access, id, tid string) {
	attrs := epg.Attrs{
		{Key: epg.AttrAccessAddr, Value: epg.String(a.addr)},
		{Key: epg.AttrAccessOp, Value: epg.String(a.op)},
	}
	if a.atomic {
		attrs = attrs.Set("access.atomic", epg.Bool(true))
	}
	if a.previous {
		attrs = attrs.Set("access.previous", epg.Bool(true))
	}
	if a.failed {
		attrs = attrs.Set("access.stack_failed", epg.Bool(true))
	}
	attrs = attrs.Set(epg.AttrEventType, epg.String(epg.EventAccess))
	ev := epg.Node{ID: id, Kind: epg.KindEvent, Name: a.op + " by goroutine " + a.gid, Attrs: attrs,
		Thread: tid, Service: e.in.Service, Start: e.in.Time, End: e.in.Time}
	if top := threads.FirstInApp(plain(a.frames)); top != nil {
		ev.Loc = threads.Loc(top)
	}
	e.f.Nodes = append(e.f.Nodes, ev)
	prev := ""
	for i := range a.frames {
		fr := &a.frames[i].Frame
		fid := id + "/frame/" + itoa(i)
		fa := epg.Attrs{{Key: epg.AttrFrameIndex, Value: epg.Int(int64(i))}}
		if fr.Module != "" {
			fa = fa.Set("frame.module", epg.String(fr.Module))
		}
		e.f.Nodes = append(e.f.Nodes, epg.Node{ID: fid, Kind: epg.KindFrame, Name: fr.Function, Attrs: fa,
			Loc: threads.Loc(fr), Thread: tid, Service: e.in.Service})
		if i > 0 {
			e.f.Edges = append(e.f.Edges, epg.Edge{From: fid, To: prev, Kind: epg.EdgeCall})
		}
		e.f.Edges = append(e.f.Edges, epg.Edge{From: fid, To: tid, Kind: epg.EdgeOn})
		prev = fid
	}
	if len(a.frames) > 0 {
		e.f.Edges = append(e.f.Edges, epg.Edge{From: id + "/frame/0", To: id, Kind: epg.EdgeEmits})
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
