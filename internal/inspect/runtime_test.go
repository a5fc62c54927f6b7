package inspect

import (
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

func TestRuntimeEvidence(t *testing.T) {
	f := &epg.Fragment{}
	for _, g := range []struct{ id, fn string }{{"7", "main.(*Store).Transfer"}, {"8", "main.(*Replica).tick"}, {"9", "main.idle"}} {
		threads.Append(f, threads.Node{ID: epg.ThreadNodeID("p", g.id), Name: "goroutine " + g.id,
			Attrs: epg.Attrs{{Key: epg.AttrThreadWaitFor, Value: epg.String("sync.Mutex.Lock")}, {Key: epg.AttrThreadWaitNs, Value: epg.Int(9 * 60e9)}},
			Stack: threads.Stack{
				Frames: []stacktrace.Frame{
					{Function: "sync.(*Mutex).Lock", File: "sync/mutex.go", Line: 46, Lang: "go"},
					{Function: g.fn, File: "main.go", Line: 10, Lang: "go", InApp: true},
					{Function: "main.main", File: "main.go", Line: 3, Lang: "go", InApp: true},
				},
				CreatedBy: []stacktrace.Frame{{Function: "main.start", File: "main.go", Line: 20, Lang: "go", InApp: true}},
			}})
	}
	a, b := epg.LockNodeID("p", "a"), epg.LockNodeID("p", "b")
	threads.AppendLock(f, threads.Lock{ID: a, Name: "(*Store).mu"})
	threads.AppendLock(f, threads.Lock{ID: b, Name: "(*Replica).raftMu"})
	t7, t8, t9 := epg.ThreadNodeID("p", "7"), epg.ThreadNodeID("p", "8"), epg.ThreadNodeID("p", "9")
	f.Edges = append(f.Edges, threads.Holds(t7, a, "args"), threads.Waits(t7, b, ""), threads.Holds(t8, b, "args"), threads.Waits(t8, a, ""))
	threads.AppendVerdict(f, threads.Verdict{ID: "v", Type: epg.EventDeadlock, Name: "fatal error",
		Message: "all goroutines are asleep - deadlock!", Threads: []string{t9, t8, t7}})
	bld := epg.NewBuilder()
	bld.Add(f)
	ev := evidenceOf(bld.Build(), "v")
	var lines []string
	for _, e := range ev {
		lines = append(lines, e.Kind+": "+e.Summary)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"deadlock: fatal error: all goroutines are asleep - deadlock!",
		"thread: goroutine 7 [sync.Mutex.Lock, 9m0s] in main.(*Store).Transfer",
		"lock: (*Store).mu held by goroutine 7 (inferred), awaited by goroutine 8",
		"frame: main.(*Store).Transfer at main.go:10",
		"thread: goroutine 9",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("evidence lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "main.start") || strings.Contains(got, "sync.(*Mutex).Lock") {
		t.Errorf("evidence shows creation or library frames:\n%s", got)
	}
	if strings.Index(got, "goroutine 9") < strings.Index(got, "goroutine 8 [") {
		t.Errorf("threads on the cycle should come first:\n%s", got)
	}
}
