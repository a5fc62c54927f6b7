package godump

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// facts is what a test asserts about one decoded artifact.
type facts struct {
	g *epg.Graph
}

func load(t *testing.T, path string) facts {
	t.Helper()
	f, _ := decodeFile(t, path)
	return facts{g: evidencetest.Build(f)}
}

// verdicts returns the event nodes of the given event.type.
func (fx facts) verdicts(typ string) []int32 {
	var out []int32
	fx.g.Nodes(epg.KindEvent, func(i int32, n *epg.Node) bool {
		if n.EventType() == typ {
			out = append(out, i)
		}
		return true
	})
	return out
}

// one returns the only verdict of typ.
func (fx facts) one(t *testing.T, typ string) *epg.Node {
	t.Helper()
	vs := fx.verdicts(typ)
	if len(vs) != 1 {
		t.Fatalf("%d %s verdicts, want 1", len(vs), typ)
	}
	return fx.g.Node(vs[0])
}

// involved returns the thread.id of every thread that emits the verdict,
// sorted.
func (fx facts) involved(v *epg.Node) []string {
	i, _ := fx.g.Lookup(v.ID)
	var ids []string
	for _, p := range fx.g.Parents(i, epg.EdgeEmits) {
		if n := fx.g.Node(p); n.Kind == epg.KindThread {
			ids = append(ids, n.Attrs.Str(epg.AttrThreadID))
		}
	}
	slices.Sort(ids)
	return ids
}

// thread returns the thread node of goroutine key.
func (fx facts) thread(t *testing.T, key string) *epg.Node {
	t.Helper()
	var found *epg.Node
	fx.g.Nodes(epg.KindThread, func(_ int32, n *epg.Node) bool {
		if n.Name == "goroutine "+key {
			found = n
			return false
		}
		return true
	})
	if found == nil {
		t.Fatalf("no goroutine %s", key)
	}
	return found
}

// locksOf returns the names (or addresses when prefixed "0x") of the
// locks goroutine key has edges of kind to.
func (fx facts) locksOf(t *testing.T, key string, kind epg.EdgeKind) []string {
	t.Helper()
	i, _ := fx.g.Lookup(fx.thread(t, key).ID)
	var out []string
	for _, l := range fx.g.Children(i, kind) {
		n := fx.g.Node(l)
		out = append(out, n.Name, n.Attrs.Str(epg.AttrLockAddr))
	}
	return out
}

func has(xs []string, x string) bool { return slices.Contains(xs, x) }

func fixture(name string) string { return filepath.Join("testdata", name) }

func conformance(t *testing.T, name string) string {
	return filepath.Join(evidencetest.ConformanceDir(t, "go-failures"), name)
}

func wantInvolved(t *testing.T, fx facts, v *epg.Node, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := fx.involved(v); !slices.Equal(got, want) {
		t.Errorf("%s involves goroutines %v, want %v", v.EventType(), got, want)
	}
}

func TestPanic(t *testing.T) {
	for name, typ := range map[string]string{"panic_nilmap.txt": "panic", "panic_index.txt": "runtime.Error"} {
		t.Run(name, func(t *testing.T) {
			fx := load(t, fixture(name))
			v := fx.one(t, epg.EventPanic)
			if got := v.Attrs.Str(epg.AttrExceptionType); got != typ {
				t.Errorf("exception.type %q, want %q", got, typ)
			}
			wantInvolved(t, fx, v, "19")
			top := fx.thread(t, "19").ID + "/frame/0"
			if !evidencetest.HasEdge(fx.g, top, v.ID, epg.EdgeEmits) {
				t.Errorf("no emits edge from the panicking frame %s", top)
			}
			if v.Loc == nil || !strings.HasPrefix(v.Loc.Function, "main.(*Registry).") {
				t.Errorf("verdict location %+v, want the Registry method", v.Loc)
			}
			if cb := fx.thread(t, "19").Attrs.Str(epg.AttrThreadCreatedBy); cb != "main.main" {
				t.Errorf("created_by %q", cb)
			}
		})
	}
}

func TestDeadlockABBA(t *testing.T) {
	fx := load(t, fixture("deadlock_abba.txt"))
	v := fx.one(t, epg.EventDeadlock)
	wantInvolved(t, fx, v, "1", "6", "7")
	if w := fx.locksOf(t, "6", epg.EdgeWaits); !has(w, "(*Replica).raftMu") {
		t.Errorf("goroutine 6 waits for %v, want (*Replica).raftMu", w)
	}
	if h := fx.locksOf(t, "6", epg.EdgeHolds); !has(h, "(*Store).mu") || has(h, "(*Replica).raftMu") {
		t.Errorf("goroutine 6 holds %v, want only (*Store).mu", h)
	}
	if w := fx.locksOf(t, "7", epg.EdgeWaits); !has(w, "(*Store).mu") {
		t.Errorf("goroutine 7 waits for %v, want (*Store).mu", w)
	}
	if h := fx.locksOf(t, "7", epg.EdgeHolds); !has(h, "(*Replica).raftMu") || has(h, "(*Store).mu") {
		t.Errorf("goroutine 7 holds %v, want only (*Replica).raftMu", h)
	}
	if st := fx.thread(t, "6").Attrs.Str(epg.AttrThreadState); st != "blocked" {
		t.Errorf("goroutine 6 state %q", st)
	}
}

func TestDoubleLock(t *testing.T) {
	fx := load(t, fixture("deadlock_double.txt"))
	wantInvolved(t, fx, fx.one(t, epg.EventDeadlock), "1", "18")
	w, h := fx.locksOf(t, "18", epg.EdgeWaits), fx.locksOf(t, "18", epg.EdgeHolds)
	if !has(w, "(*Cache).mu") || !has(h, "(*Cache).mu") {
		t.Errorf("goroutine 18 waits %v holds %v, want (*Cache).mu both", w, h)
	}
}

func TestWithoutSourceNamesByAddress(t *testing.T) {
	f := evidencetest.Decode(t, &DumpDecoder{}, fixture("deadlock_abba.txt"))
	for _, n := range f.Nodes {
		if n.Kind == epg.KindLock && !strings.HasPrefix(n.Name, "mutex 0x") {
			t.Errorf("lock named %q without source roots", n.Name)
		}
	}
}

func TestLeakProfile(t *testing.T) {
	fx := load(t, fixture("leak_profile.txt"))
	v := fx.one(t, epg.EventLeak)
	wantInvolved(t, fx, v, "19", "20", "21", "22", "5")
	if fx.thread(t, "23").Attrs.Str(epg.AttrThreadWaitFor) != "chan receive" {
		t.Error("goroutine 23 wait reason")
	}
	if r := fx.thread(t, "21").Attrs.Str(epg.AttrThreadWaitFor); r != "sync.Mutex.Lock" {
		t.Errorf("leaked wait reason %q keeps the (leaked) mark", r)
	}
}

func TestTestTimeout(t *testing.T) {
	fx := load(t, fixture("test_timeout.txt"))
	v := fx.one(t, epg.EventBlocked)
	// 1 (testing.(*T).Run) and 5 (the alarm) are the framework's.
	wantInvolved(t, fx, v, "19", "20", "21", "22")
	if !strings.HasPrefix(v.Attrs.Str(epg.AttrExceptionMsg), "test timed out after 2s") {
		t.Errorf("message %q", v.Attrs.Str(epg.AttrExceptionMsg))
	}
}

func TestRace(t *testing.T) {
	fx := load(t, fixture("race_cache.txt"))
	vs := fx.verdicts(epg.EventRace)
	if len(vs) != 3 {
		t.Fatalf("%d race verdicts, want 3", len(vs))
	}
	v := fx.g.Node(vs[1])
	if msg := v.Attrs.Str(epg.AttrExceptionMsg); msg != "data race on 0x00c00009a060 between main.(*Cache).Get and main.(*Cache).Put" {
		t.Errorf("message %q", msg)
	}
	wantInvolved(t, fx, v, "7", "8")
	if n := len(fx.g.Children(vs[1], epg.EdgeCausedBy)); n != 2 {
		t.Errorf("%d caused_by edges, want 2", n)
	}
	if st := fx.thread(t, "7").Attrs.Str(epg.AttrThreadState); st != "dead" {
		t.Errorf("finished goroutine state %q", st)
	}
}

func TestServerDumps(t *testing.T) {
	for _, name := range []string{"sigquit_all.txt", "sigquit_crash.txt", "pprof_debug2.txt"} {
		t.Run(name, func(t *testing.T) {
			fx := load(t, fixture(name))
			var waiters, holders int
			fx.g.Nodes(epg.KindLock, func(i int32, n *epg.Node) bool {
				if n.Name != "(*Index).mu" {
					t.Errorf("unexpected lock %q", n.Name)
				}
				waiters += len(fx.g.Parents(i, epg.EdgeWaits))
				holders += len(fx.g.Parents(i, epg.EdgeHolds))
				return true
			})
			if waiters != 2 || holders != 1 {
				t.Errorf("(*Index).mu: %d waiters, %d holders; want the 2 lookups and Reindex", waiters, holders)
			}
			for _, typ := range []string{epg.EventPanic, epg.EventDeadlock, epg.EventBlocked, epg.EventLeak} {
				if len(fx.verdicts(typ)) != 0 {
					t.Errorf("a plain dump has a %s verdict", typ)
				}
			}
		})
	}
}

func TestCrashDumpRepeatsGoroutineZero(t *testing.T) {
	fx := load(t, fixture("sigquit_crash.txt"))
	fx.thread(t, "0")
	fx.thread(t, "0@m2")
}

func TestConformanceFacts(t *testing.T) {
	t.Run("etcd4876 race", func(t *testing.T) {
		fx := load(t, conformance(t, "goker_etcd4876_data_race.txt"))
		v := fx.one(t, epg.EventRace)
		wantInvolved(t, fx, v, "11", "9")
		vi, _ := fx.g.Lookup(v.ID)
		var got []string
		for _, a := range fx.g.Children(vi, epg.EdgeCausedBy) {
			n := fx.g.Node(a)
			got = append(got, n.Attrs.Str(epg.AttrAccessOp)+" "+n.Attrs.Str(epg.AttrAccessAddr)+" "+n.Thread[strings.LastIndexByte(n.Thread, ':')+1:])
			if fx.g.Parents(a, epg.EdgeEmits) == nil {
				t.Errorf("access %s has no emitting frame", n.ID)
			}
		}
		slices.Sort(got)
		if want := []string{"read 0x0000007a8a30 11", "write 0x0000007a8a30 9"}; !slices.Equal(got, want) {
			t.Errorf("accesses %v, want %v", got, want)
		}
		if cb := fx.thread(t, "11").Attrs.Str(epg.AttrThreadCreatedBy); !strings.HasSuffix(cb, "(*watchServer).Watch") {
			t.Errorf("goroutine 11 created by %q", cb)
		}
	})
	t.Run("etcd6708 deadlock", func(t *testing.T) {
		fx := load(t, conformance(t, "goker_etcd6708_all_goroutines_asleep.txt"))
		wantInvolved(t, fx, fx.one(t, epg.EventDeadlock), "1")
		if w, h := fx.locksOf(t, "1", epg.EdgeWaits), fx.locksOf(t, "1", epg.EdgeHolds); !has(w, "0x37bf46692100") || !has(h, "0x37bf46692100") {
			t.Errorf("goroutine 1 waits %v holds %v: want the RWMutex self-deadlock", w, h)
		}
	})
	t.Run("etcd7492 timeout", func(t *testing.T) {
		fx := load(t, conformance(t, "goker_etcd7492_test_timeout_dump.txt"))
		wantInvolved(t, fx, fx.one(t, epg.EventBlocked), "18", "19", "21")
		if h := fx.locksOf(t, "21", epg.EdgeHolds); !has(h, "0x19bee92161a8") {
			t.Errorf("goroutine 21 holds %v, want the lock 19 waits for", h)
		}
	})
	t.Run("grpc1687 panic", func(t *testing.T) {
		fx := load(t, conformance(t, "goker_grpc1687_panic_send_on_closed.txt"))
		v := fx.one(t, epg.EventPanic)
		wantInvolved(t, fx, v, "20")
		if v.Attrs.Str(epg.AttrExceptionMsg) != "send on closed channel" {
			t.Errorf("message %q", v.Attrs.Str(epg.AttrExceptionMsg))
		}
	})
	t.Run("moby7559 goleak", func(t *testing.T) {
		fx := load(t, conformance(t, "goker_moby7559_goleak.txt"))
		wantInvolved(t, fx, fx.one(t, epg.EventLeak), "21")
	})
	t.Run("cockroach10214 leak profile", func(t *testing.T) {
		fx := load(t, conformance(t, "goruntime_leakprofile_cockroach10214.txt"))
		v := fx.one(t, epg.EventLeak)
		if n := len(fx.involved(v)); n != 22 {
			t.Errorf("%d leaked goroutines, want 22", n)
		}
		if has(fx.involved(v), "1") {
			t.Error("the running goroutine is not leaked")
		}
		for _, c := range []struct{ g, waits, holds string }{
			{"1523", "0x31c7d6457080", "0x31c7d6460540"},
			{"1524", "0x31c7d6460540", "0x31c7d6457080"},
			{"1645", "0x31c7d6457bf0", "0x31c7d6461c20"},
			{"1646", "0x31c7d6461c20", "0x31c7d6457bf0"},
		} {
			w, h := fx.locksOf(t, c.g, epg.EdgeWaits), fx.locksOf(t, c.g, epg.EdgeHolds)
			if len(w) != 2 || !has(w, c.waits) || len(h) != 2 || !has(h, c.holds) {
				t.Errorf("goroutine %s waits %v holds %v, want %s and %s", c.g, w, h, c.waits, c.holds)
			}
		}
		var waits, holds int
		fx.g.Nodes(epg.KindThread, func(i int32, _ *epg.Node) bool {
			waits += len(fx.g.Children(i, epg.EdgeWaits))
			holds += len(fx.g.Children(i, epg.EdgeHolds))
			return true
		})
		if waits != 22 || holds != 22 {
			t.Errorf("%d waits and %d holds edges, want 22 each (11 AB-BA pairs)", waits, holds)
		}
	})
}

// TestSlowSnapshot: the capture SDK's slow-request header over a real
// debug=2 dump is a note, not a verdict, whose threads are those in the
// program's own code — here the two lookups queued on (*Index).mu and
// the reindex holding it.
func TestSlowSnapshot(t *testing.T) {
	data, err := os.ReadFile(fixture("pprof_debug2.txt"))
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: "slow.txt", Data: append([]byte(capsule.SlowHeader+"2 requests past the 2s latency threshold: GET /lookup\n\n"), data...),
		SourceRoots: []string{evidencetest.RepoRoot()}}
	f, err := (&DumpDecoder{}).Decode(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	fx := facts{g: evidencetest.Build(f)}
	for _, typ := range []string{epg.EventPanic, epg.EventDeadlock, epg.EventBlocked, epg.EventLeak} {
		if len(fx.verdicts(typ)) != 0 {
			t.Errorf("a slow-request snapshot has a %s verdict", typ)
		}
	}
	v := fx.one(t, epg.EventSlow)
	if msg := v.Attrs.Str(epg.AttrExceptionMsg); msg != "2 requests past the 2s latency threshold: GET /lookup" {
		t.Errorf("message %q", msg)
	}
	// The queue workers and the ticker loop idle in the program's own code
	// too; what matters among them is for the analysis to say.
	wantInvolved(t, fx, v, "21", "24", "25", "5", "6", "7", "8")
}
