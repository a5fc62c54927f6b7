package lockgraph

import (
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// wantStep is what a test expects of one step of a cycle.
type wantStep struct {
	thread, lock, file string
	line               int
	function           string
}

// checkCycle asserts that c is exactly the given steps, in some rotation,
// that every wait site is the fixture program's line that locks the lock,
// and that the summary names every lock and site.
func checkCycle(t *testing.T, c Cycle, want []wantStep, srcRoots ...string) {
	t.Helper()
	if len(c.Steps) != len(want) || len(c.Locks) != len(want) {
		t.Fatalf("cycle has %d steps, want %d: %+v", len(c.Steps), len(want), c)
	}
	for i, s := range c.Steps {
		w := want[slices.IndexFunc(want, func(w wantStep) bool { return w.thread == s.ThreadName })]
		if s.LockName != w.lock {
			t.Errorf("%s waits for %q, want %q", s.ThreadName, s.LockName, w.lock)
		}
		ws := s.WaitSite
		if ws == nil || path.Base(ws.File) != w.file || ws.Line != w.line || ws.Function != w.function {
			t.Errorf("%s wait site %v, want %s:%d %s", s.ThreadName, ws, w.file, w.line, w.function)
			continue
		}
		if !locksAt(t, ws, s.LockName, srcRoots) {
			t.Errorf("%s: site %s:%d does not lock %s", s.ThreadName, ws.File, ws.Line, s.LockName)
		}
		// The holder of this step's lock is the next step's thread, and
		// holds it where it now waits for its own next lock.
		next := c.Steps[(i+1)%len(c.Steps)]
		if s.Holder != next.Thread {
			t.Errorf("step %d: holder %s, want the next step's thread %s", i, s.Holder, next.Thread)
		}
		if len(c.Steps) > 1 && (s.HoldSite == nil || *s.HoldSite != *next.WaitSite) {
			t.Errorf("step %d: hold site %v, want %v", i, s.HoldSite, next.WaitSite)
		}
		for _, frag := range []string{s.LockName, ws.String()} {
			if !strings.Contains(c.Summary, frag) {
				t.Errorf("summary %q does not name %q", c.Summary, frag)
			}
		}
	}
}

// locksAt reports whether the program's source locks the named lock at
// the site: on its line, or for a Java monitor on the synchronized line
// just above (a thread blocked entering a synchronized block is reported
// at the block's first line).
func locksAt(t *testing.T, s *Site, lock string, roots []string) bool {
	field := lock[strings.LastIndexByte(lock, '.')+1:]
	for n := s.Line; n >= max(1, s.Line-1); n-- {
		line := sourceLine(t, s.File, n, roots...)
		for _, stmt := range []string{field + ".Lock()", field + ".lock()", "synchronized (" + field + ")"} {
			if strings.Contains(line, stmt) && (n == s.Line || strings.HasPrefix(stmt, "synchronized")) {
				return true
			}
		}
	}
	return false
}

func TestABBADeadlockNamesBothLocksAndSites(t *testing.T) {
	g := load(t, abbaDump)
	r := Analyze(g, Options{})
	if len(r.Cycles) != 1 {
		t.Fatalf("want 1 cycle, got %d: %+v", len(r.Cycles), r.Cycles)
	}
	c := r.Cycles[0]
	checkCycle(t, c, []wantStep{
		{"goroutine 6", "(*Replica).raftMu", "main.go", 30, "main.(*Store).Transfer"},
		{"goroutine 7", "(*Store).mu", "main.go", 43, "main.(*Replica).Apply"},
	}, ".")
	if !strings.HasPrefix(c.Summary, "deadlock over 2 locks") {
		t.Errorf("summary %q", c.Summary)
	}
	if !c.Inferred || c.Steps[0].HoldInferred != "args" {
		t.Errorf("holds in a Go dump are inferred from arguments: %+v", c)
	}
	if len(c.Verdicts) != 1 || !strings.HasSuffix(c.Verdicts[0], ":deadlock") {
		t.Errorf("verdicts %v, want the runtime's deadlock event", c.Verdicts)
	}
	for _, l := range c.Locks {
		if _, ok := g.Lookup(l); !ok {
			t.Errorf("cycle names lock %s, which is not a node", l)
		}
	}
	if len(r.Locks) != 2 || r.Locks[0].Node != c.Locks[0] && r.Locks[0].Node != c.Locks[1] {
		t.Errorf("locks on the cycle should rank first: %+v", r.Locks)
	}
}

func TestDoubleLockIsACycleOfOne(t *testing.T) {
	r := Analyze(load(t, doubleDump), Options{})
	if len(r.Cycles) != 1 {
		t.Fatalf("want 1 cycle, got %+v", r.Cycles)
	}
	c := r.Cycles[0]
	checkCycle(t, c, []wantStep{{"goroutine 18", "(*Cache).mu", "main.go", 29, "main.(*Cache).refresh"}}, ".")
	s := c.Steps[0]
	if s.Holder != s.Thread {
		t.Errorf("a double lock is held by its own waiter: %+v", s)
	}
	hs := s.HoldSite
	if hs == nil || hs.Line != 22 || hs.Function != "main.(*Cache).Get" || hs.From != "caller" {
		t.Errorf("hold site %+v, want main.go:22 main.(*Cache).Get (the caller that locked first)", hs)
	}
	if !strings.HasPrefix(c.Summary, "double lock:") || !strings.Contains(c.Summary, "main.go:22") {
		t.Errorf("summary %q", c.Summary)
	}
}

func TestJVMMonitorDeadlock(t *testing.T) {
	r := Analyze(load(t, monitorJVM), Options{})
	if len(r.Cycles) != 1 {
		t.Fatalf("want 1 cycle, got %+v", r.Cycles)
	}
	c := r.Cycles[0]
	checkCycle(t, c, []wantStep{
		{"t1", "MonitorDeadlock.LEDGER", "MonitorDeadlock.java", 15, "MonitorDeadlock.transfer"},
		{"t2", "MonitorDeadlock.ACCOUNTS", "MonitorDeadlock.java", 24, "MonitorDeadlock.audit"},
	}, jvmSourceDir)
	if c.Inferred {
		t.Errorf("a JVM dump states its holds: %+v", c)
	}
	if len(c.Verdicts) != 1 {
		t.Errorf("verdicts %v, want the JVM's deadlock report", c.Verdicts)
	}
	// Threads in Object.wait (the Reference Handler, main joining) wait
	// to be notified: they are not contention.
	for _, h := range r.Hotspots {
		if !slices.Contains(c.Locks, h.Lock) {
			t.Errorf("hotspot %s (%s) is only a condition wait", h.Lock, h.Name)
		}
	}
}

func TestJVMOwnableSynchronizerDeadlock(t *testing.T) {
	r := Analyze(load(t, ownableJVM), Options{})
	if len(r.Cycles) != 1 {
		t.Fatalf("want 1 cycle, got %+v", r.Cycles)
	}
	checkCycle(t, r.Cycles[0], []wantStep{
		{"reserver", "LockDeadlock.orders", "LockDeadlock.java", 16, "LockDeadlock.reserve"},
		{"shipper", "LockDeadlock.inventory", "LockDeadlock.java", 31, "LockDeadlock.ship"},
	}, jvmSourceDir)
	for _, l := range r.Locks[:2] {
		if l.Kind != "ownable" {
			t.Errorf("lock %s kind %q, want ownable", l.Name, l.Kind)
		}
	}
}

// A race report and a goroutine-leak profile are failures, but not lock
// cycles: goroutines parked on a mutex nobody is seen holding are
// contention (or a leak), not a deadlock.
func TestRaceAndLeakAreNotDeadlocks(t *testing.T) {
	for _, f := range []string{raceReport, leakProfile} {
		r := Analyze(load(t, f), Options{})
		if len(r.Cycles) != 0 {
			t.Errorf("%s: reported as deadlock: %+v", f, r.Cycles)
		}
	}
	r := Analyze(load(t, leakProfile), Options{})
	if len(r.Hotspots) != 1 || r.Hotspots[0].Name != "(*Table).mu" || r.Hotspots[0].Current != 2 {
		t.Errorf("leak profile: want (*Table).mu with 2 goroutines parked, got %+v", r.Hotspots)
	}
}

// A three-thread cycle in one dump names all three locks in order.
func TestThreeThreadCycle(t *testing.T) {
	g := synth(t, []synthThread{
		{"t1", []string{"A"}, "B"},
		{"t2", []string{"B"}, "C"},
		{"t3", []string{"C"}, "A"},
		{"t4", nil, "A"}, // waits too, but on no cycle
	})
	r := Analyze(g, Options{})
	if len(r.Cycles) != 1 {
		t.Fatalf("want 1 cycle, got %+v", r.Cycles)
	}
	c := r.Cycles[0]
	var names []string
	for _, s := range c.Steps {
		names = append(names, s.ThreadName+"→"+s.LockName)
	}
	if got := strings.Join(names, " "); got != "t1→B t2→C t3→A" {
		t.Errorf("cycle %s", got)
	}
	if c.Threads != 3 || !strings.HasPrefix(c.Summary, "deadlock over 3 locks") {
		t.Errorf("cycle %+v", c)
	}
}

func TestReportIsDeterministicJSON(t *testing.T) {
	for _, f := range []string{abbaDump, monitorJVM, contention} {
		a, err := json.Marshal(Analyze(load(t, f), Options{}))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(Analyze(load(t, f), Options{}))
		if string(a) != string(b) {
			t.Errorf("%s: two analyses marshal differently", f)
		}
	}
}

// synthThread is a thread of a hand-built dump: the locks it holds and
// the one it waits for.
type synthThread struct {
	name  string
	holds []string
	waits string
}

// synth builds a dump-like graph: each thread has one in-app frame.
func synth(t *testing.T, ts []synthThread) *epg.Graph {
	t.Helper()
	b := epg.NewBuilder()
	lock := func(name string) string {
		id := epg.LockNodeID("synth", name)
		b.AddNode(epg.Node{ID: id, Kind: epg.KindLock, Name: name})
		return id
	}
	for i, th := range ts {
		id := epg.ThreadNodeID("synth", th.name)
		b.AddNode(epg.Node{ID: id, Kind: epg.KindThread, Name: th.name})
		fr := id + "/frame/0"
		b.AddNode(epg.Node{ID: fr, Kind: epg.KindFrame, Name: "app.work",
			Attrs: epg.Attrs{{Key: epg.AttrFrameIndex, Value: epg.Int(0)}},
			Loc:   &epg.Location{File: "app.go", Line: 10 + i, Function: "app.work", InApp: true}})
		b.AddEdge(epg.Edge{From: fr, To: id, Kind: epg.EdgeOn})
		for _, h := range th.holds {
			b.AddEdge(epg.Edge{From: id, To: lock(h), Kind: epg.EdgeHolds})
		}
		if th.waits != "" {
			b.AddEdge(epg.Edge{From: id, To: lock(th.waits), Kind: epg.EdgeWaits})
		}
	}
	return b.Build()
}
