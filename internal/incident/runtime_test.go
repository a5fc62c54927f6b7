package incident

import (
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// dump builds a fragment of goroutines; each is (id, wait reason,
// function it is stuck in).
type goroutine struct{ id, reason, fn string }

func dump(gs ...goroutine) *epg.Fragment {
	f := &epg.Fragment{}
	for _, g := range gs {
		threads.Append(f, threads.Node{ID: epg.ThreadNodeID("p", g.id), Name: "goroutine " + g.id,
			Attrs: epg.Attrs{{Key: epg.AttrThreadWaitFor, Value: epg.String(g.reason)}},
			Stack: threads.Stack{Frames: []stacktrace.Frame{
				{Function: "sync.(*Mutex).Lock", File: "sync/mutex.go", Line: 46, Lang: "go"},
				{Function: g.fn, File: "main.go", Line: 10, Lang: "go", InApp: true},
			}}})
	}
	return f
}

func lock(f *epg.Fragment, name string) string {
	id := epg.LockNodeID("p", name)
	threads.AppendLock(f, threads.Lock{ID: id, Name: name, Kind: "mutex"})
	return id
}

func th(id string) string { return epg.ThreadNodeID("p", id) }

func TestABBADeadlock(t *testing.T) {
	f := dump(goroutine{"7", "sync.Mutex.Lock", "main.(*Store).Transfer"}, goroutine{"8", "sync.Mutex.Lock", "main.(*Replica).tick"},
		goroutine{"9", "select", "main.serve"})
	a, b := lock(f, "(*Store).mu"), lock(f, "(*Replica).raftMu")
	f.Edges = append(f.Edges, threads.Holds(th("7"), a, "args"), threads.Waits(th("7"), b, ""),
		threads.Holds(th("8"), b, "args"), threads.Waits(th("8"), a, ""))
	threads.AppendVerdict(f, threads.Verdict{ID: "verdict", Type: epg.EventDeadlock, Name: "fatal error",
		Message: "all goroutines are asleep - deadlock!", Time: 5, Threads: []string{th("7"), th("8"), th("9")}})
	sigs := Detect(graphOf(f), Options{})
	if len(sigs) != 1 {
		t.Fatalf("signals = %+v, want one", sigs)
	}
	s := sigs[0]
	if s.Kind != KindDeadlock || s.Title != "AB-BA deadlock between (*Replica).raftMu and (*Store).mu" || s.Node != "verdict" || s.Time != 5 {
		t.Errorf("signal = %+v", s)
	}
	if strings.Join(s.Frames, ";") != "main.(*Replica).tick;main.(*Store).Transfer" {
		t.Errorf("frames = %q", s.Frames)
	}

	// The same cycle with other addresses and no verdict groups with it.
	f2 := dump(goroutine{"70", "sync.Mutex.Lock", "main.(*Store).Transfer"}, goroutine{"80", "sync.Mutex.Lock", "main.(*Replica).tick"})
	a2, b2 := lock(f2, "(*Store).mu"), lock(f2, "(*Replica).raftMu")
	f2.Edges = append(f2.Edges, threads.Holds(th("70"), a2, "args"), threads.Waits(th("70"), b2, ""),
		threads.Holds(th("80"), b2, "args"), threads.Waits(th("80"), a2, ""))
	sigs2 := Detect(graphOf(f2), Options{})
	if len(sigs2) != 1 || sigs2[0].Fingerprint != s.Fingerprint || !strings.HasPrefix(sigs2[0].Node, "lock:") {
		t.Errorf("second dump = %+v; want same fingerprint %s", sigs2, s.Fingerprint)
	}
}

func TestDoubleLockAndLongCycle(t *testing.T) {
	f := dump(goroutine{"1", "sync.Mutex.Lock", "main.(*Cache).refresh"})
	l := lock(f, "(*Cache).mu")
	f.Edges = append(f.Edges, threads.Holds(th("1"), l, "args"), threads.Waits(th("1"), l, ""))
	sigs := Detect(graphOf(f), Options{})
	if len(sigs) != 1 || sigs[0].Title != "double lock of (*Cache).mu in main.(*Cache).refresh" {
		t.Fatalf("signals = %+v", sigs)
	}

	f = dump(goroutine{"1", "", "main.a"}, goroutine{"2", "", "main.b"}, goroutine{"3", "", "main.c"}, goroutine{"4", "", "main.d"})
	x, y, z := lock(f, "X"), lock(f, "Y"), lock(f, "Z")
	f.Edges = append(f.Edges,
		threads.Holds(th("1"), x, ""), threads.Waits(th("1"), y, ""),
		threads.Holds(th("2"), y, ""), threads.Waits(th("2"), z, ""),
		threads.Holds(th("3"), z, ""), threads.Waits(th("3"), x, ""),
		threads.Waits(th("4"), x, "")) // waits on the cycle but is not part of it
	sigs = Detect(graphOf(f), Options{})
	if len(sigs) != 1 || sigs[0].Title != "lock-order cycle across 3 locks: Y → Z → X" || len(sigs[0].Frames) != 3 {
		t.Fatalf("signals = %+v", sigs)
	}
}

func TestVerdictsWithoutCycle(t *testing.T) {
	f := dump(goroutine{"21", "sync.Mutex.Lock", "example.com/proxy.(*UDPProxy).Run"}, goroutine{"22", "sync.Mutex.Lock", "example.com/proxy.(*UDPProxy).Run"},
		goroutine{"23", "chan send", "example.com/proxy.(*UDPProxy).replyLoop"})
	threads.AppendVerdict(f, threads.Verdict{ID: "leak", Type: epg.EventLeak, Name: "goleak", Message: "found unexpected goroutines",
		Threads: []string{th("21"), th("22"), th("23")}})
	sigs := Detect(graphOf(f), Options{})
	if len(sigs) != 1 || sigs[0].Kind != KindLeak ||
		sigs[0].Title != "goroutine leak: 2 goroutines stuck in sync.Mutex.Lock at proxy.(*UDPProxy).Run (+1 more)" {
		t.Fatalf("signals = %+v", sigs)
	}

	f = dump(goroutine{"5", "chan receive", "main.TestHang"})
	threads.AppendVerdict(f, threads.Verdict{ID: "timeout", Type: epg.EventBlocked, Name: "test timeout",
		Message: "test timed out after 2s", Threads: []string{th("5")}})
	sigs = Detect(graphOf(f), Options{})
	if len(sigs) != 1 || sigs[0].Kind != KindBlocked || sigs[0].Title != "test timed out after 2s: 1 goroutine stuck in chan receive at main.TestHang" {
		t.Fatalf("signals = %+v", sigs)
	}
}

func TestRace(t *testing.T) {
	f := &epg.Fragment{}
	for i, acc := range []struct{ op, fn string }{{"write", "main.(*Cache).Put"}, {"read", "main.(*Cache).Get"}} {
		tid := th(string(rune('1' + i)))
		threads.Append(f, threads.Node{ID: tid, Name: "goroutine", Stack: threads.Stack{Frames: []stacktrace.Frame{{Function: acc.fn, InApp: true, Lang: "go"}}}})
		id := "access" + acc.op
		f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Attrs: epg.Attrs{
			{Key: epg.AttrAccessOp, Value: epg.String(acc.op)}, {Key: epg.AttrEventType, Value: epg.String(epg.EventAccess)}}})
		f.Edges = append(f.Edges, epg.Edge{From: threads.FrameID(tid, 0), To: id, Kind: epg.EdgeEmits},
			epg.Edge{From: "race", To: id, Kind: epg.EdgeCausedBy})
	}
	threads.AppendVerdict(f, threads.Verdict{ID: "race", Type: epg.EventRace, Name: "DATA RACE", Threads: []string{th("1"), th("2")}})
	sigs := Detect(graphOf(f), Options{})
	if len(sigs) != 1 || sigs[0].Kind != KindRace || sigs[0].Title != "data race: main.(*Cache).Put (write) vs main.(*Cache).Get (read)" {
		t.Fatalf("signals = %+v", sigs)
	}
}

// Execution traces summarise holds and waits over time: a worker that
// waited for a lock and, later, released it is no double lock.
func TestSummarisedLockEdgesMakeNoCycle(t *testing.T) {
	f := dump(goroutine{"1", "", "main.(*Ledger).Record"})
	l := lock(f, "main.(*Ledger).Record:40")
	w := threads.Waits(th("1"), l, "")
	w.Attrs = epg.Attrs{{Key: "wait.pending", Value: epg.Bool(false)}}
	f.Edges = append(f.Edges, threads.Holds(th("1"), l, "unblock"), w)
	if sigs := Detect(graphOf(f), Options{}); len(sigs) != 0 {
		t.Fatalf("signals = %+v, want none", sigs)
	}
}
