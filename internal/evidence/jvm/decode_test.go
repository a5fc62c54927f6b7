package jvm

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// withSource decodes with testdata/src as the source root, so that the
// goldens show locks named from the fixtures' source.
type withSource struct{ Decoder }

func (w *withSource) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	cp := *in
	cp.SourceRoots = []string{filepath.Join("testdata", "src")}
	return w.Decoder.Decode(ctx, &cp)
}

func fixtures(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	return paths
}

func golden(p string) string { return strings.TrimSuffix(p, ".txt") + ".golden.json" }

func TestGolden(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			evidencetest.Golden(t, &withSource{}, p, golden(p))
		})
	}
}

// decode runs the decoder over a fixture, with or without source roots.
func decode(t testing.TB, path string, roots ...string) (*epg.Graph, *evidence.Input) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: filepath.Base(path), Data: data, SourceRoots: roots}
	f, err := (&Decoder{}).Decode(context.Background(), in)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return evidencetest.Build(f), in
}

// threadNamed returns the ID of the thread node called name.
func threadNamed(t testing.TB, g *epg.Graph, name string) string {
	t.Helper()
	for i := int32(0); i < int32(g.NumNodes()); i++ {
		n := g.Node(i)
		if n.Kind == epg.KindThread && n.Name == name {
			return n.ID
		}
	}
	t.Fatalf("no thread %q", name)
	return ""
}

// events returns the event nodes of type typ.
func events(g *epg.Graph, typ string) []*epg.Node {
	var out []*epg.Node
	for i := int32(0); i < int32(g.NumNodes()); i++ {
		if n := g.Node(i); n.Kind == epg.KindEvent && n.EventType() == typ {
			out = append(out, n)
		}
	}
	return out
}

// cycle checks a waits L1, held by b, b waits L2, held by a.
func cycle(t *testing.T, g *epg.Graph, a, b, l1, l2 string) {
	t.Helper()
	for _, c := range []struct {
		from, to string
		kind     epg.EdgeKind
	}{{a, l1, epg.EdgeWaits}, {b, l1, epg.EdgeHolds}, {b, l2, epg.EdgeWaits}, {a, l2, epg.EdgeHolds}} {
		if !evidencetest.HasEdge(g, c.from, c.to, c.kind) {
			t.Errorf("no %s edge %s → %s", c.kind, c.from, c.to)
		}
	}
}

func verdictOf(t *testing.T, g *epg.Graph, threads ...string) *epg.Node {
	t.Helper()
	vs := events(g, epg.EventDeadlock)
	if len(vs) != 1 {
		t.Fatalf("%d deadlock verdicts, want 1", len(vs))
	}
	v := vs[0]
	if v.Attrs.Str(epg.AttrExceptionType) != VerdictType {
		t.Errorf("verdict type %q", v.Attrs.Str(epg.AttrExceptionType))
	}
	for _, th := range threads {
		if !evidencetest.HasEdge(g, th, v.ID, epg.EdgeEmits) {
			t.Errorf("%s does not emit the verdict", th)
		}
	}
	return v
}

// lockOf returns the one lock thread has a kind edge to.
func lockOf(t *testing.T, g *epg.Graph, thread string, kind epg.EdgeKind) string {
	t.Helper()
	i, _ := g.Lookup(thread)
	var locks []string
	for _, e := range g.Out(i) {
		if _, j := g.Ends(e); g.Edge(e).Kind == kind && g.Node(j).Kind == epg.KindLock {
			locks = append(locks, g.Node(j).ID)
		}
	}
	if len(locks) != 1 {
		t.Fatalf("%s has %s edges to %v, want one lock", thread, kind, locks)
	}
	return locks[0]
}

var plainLockName = regexp.MustCompile(`^java\.lang\.Object <0x[0-9a-f]{16}>$`)

// TestMonitorDeadlock: t1 holds ACCOUNTS and waits for LEDGER, t2 the
// reverse, in all three ways of dumping.
func TestMonitorDeadlock(t *testing.T) {
	for _, name := range []string{"monitor_deadlock_jstack.txt", "monitor_deadlock_jcmd.txt", "monitor_deadlock_sigquit.txt"} {
		t.Run(name, func(t *testing.T) {
			g, _ := decode(t, filepath.Join("testdata", name), filepath.Join("testdata", "src"))
			t1, t2 := threadNamed(t, g, "t1"), threadNamed(t, g, "t2")
			ledger, accounts := lockOf(t, g, t1, epg.EdgeWaits), lockOf(t, g, t2, epg.EdgeWaits)
			cycle(t, g, t1, t2, ledger, accounts)
			v := verdictOf(t, g, t1, t2)
			if !strings.Contains(v.Attrs.Str(epg.AttrExceptionMsg), `which is held by "t2"`) {
				t.Errorf("verdict message %q", v.Attrs.Str(epg.AttrExceptionMsg))
			}
			stamp, err := time.Parse(time.DateTime, v.Attrs.Str("jvm.dump_time"))
			if err != nil || v.Start != stamp.UnixNano() {
				t.Errorf("verdict time %d: want the dump's timestamp %v", v.Start, stamp)
			}
			for id, want := range map[string]string{ledger: "MonitorDeadlock.LEDGER", accounts: "MonitorDeadlock.ACCOUNTS"} {
				l := evidencetest.Node(t, g, id)
				if !strings.HasPrefix(l.Name, want+" (java.lang.Object <0x") || l.Attrs.Str(epg.AttrLockKind) != "monitor" {
					t.Errorf("lock %s = %q kind %q", id, l.Name, l.Attrs.Str(epg.AttrLockKind))
				}
			}
			th := evidencetest.Node(t, g, t1)
			if th.Attrs.Str(epg.AttrThreadState) != "blocked" || th.Attrs.Str(epg.AttrThreadWaitFor) != "BLOCKED (on object monitor)" || th.Attrs.Str(epg.AttrThreadID) != "12" {
				t.Errorf("t1 attrs %v", th.Attrs)
			}
			if th.Loc == nil || th.Loc.Function != "MonitorDeadlock.transfer" || th.Loc.Line != 15 {
				t.Errorf("t1 location %+v", th.Loc)
			}
		})
	}
}

// TestLockNamesWithoutSource: without source roots, a lock is named by
// class and address.
func TestLockNamesWithoutSource(t *testing.T) {
	g, _ := decode(t, filepath.Join("testdata", "monitor_deadlock_jstack.txt"))
	l := evidencetest.Node(t, g, lockOf(t, g, threadNamed(t, g, "t1"), epg.EdgeWaits))
	if !plainLockName.MatchString(l.Name) {
		t.Errorf("name %q", l.Name)
	}
}

// TestReentrantLockDeadlock: parked threads name no holder; plain jstack
// and jcmd without -l state the holds only in the deadlock report,
// jstack -l also in "Locked ownable synchronizers".
func TestReentrantLockDeadlock(t *testing.T) {
	for _, name := range []string{"lock_deadlock_jstack.txt", "lock_deadlock_jstack_l.txt", "lock_deadlock_jcmd_nol.txt"} {
		t.Run(name, func(t *testing.T) {
			g, _ := decode(t, filepath.Join("testdata", name), filepath.Join("testdata", "src"))
			r, s := threadNamed(t, g, "reserver"), threadNamed(t, g, "shipper")
			orders, inventory := lockOf(t, g, r, epg.EdgeWaits), lockOf(t, g, s, epg.EdgeWaits)
			cycle(t, g, r, s, orders, inventory)
			verdictOf(t, g, r, s)
			for id, want := range map[string]string{inventory: "LockDeadlock.inventory", orders: "LockDeadlock.orders"} {
				l := evidencetest.Node(t, g, id)
				if !strings.HasPrefix(l.Name, want+" (") || l.Attrs.Str(epg.AttrLockKind) != "ownable" {
					t.Errorf("lock %q kind %q", l.Name, l.Attrs.Str(epg.AttrLockKind))
				}
			}
			if st := evidencetest.Node(t, g, r).Attrs.Str(epg.AttrThreadWaitFor); st != "WAITING (parking)" {
				t.Errorf("reserver waits for %q", st)
			}
		})
	}
}

// TestBusy: contention without a cycle, and condition waits that hold
// nothing.
func TestBusy(t *testing.T) {
	for _, name := range []string{"busy_jcmd.txt", "busy_sigquit.txt"} {
		t.Run(name, func(t *testing.T) {
			g, _ := decode(t, filepath.Join("testdata", name), filepath.Join("testdata", "src"))
			if vs := events(g, epg.EventDeadlock); len(vs) != 0 {
				t.Fatalf("healthy program has %d deadlock verdicts", len(vs))
			}
			refresher, reader := threadNamed(t, g, "cache-refresher"), threadNamed(t, g, "cache-reader")
			cache := lockOf(t, g, reader, epg.EdgeWaits)
			if lockOf(t, g, refresher, epg.EdgeHolds) != cache {
				t.Error("cache-reader should wait for the cache monitor cache-refresher holds")
			}
			if n := evidencetest.Node(t, g, cache); !strings.HasPrefix(n.Name, "Busy.cache (java.lang.Object <0x") {
				t.Errorf("cache lock named %q", n.Name)
			}
			waiter := threadNamed(t, g, "signal-waiter")
			signal := lockOf(t, g, waiter, epg.EdgeWaits)
			if evidencetest.HasEdge(g, waiter, signal, epg.EdgeHolds) {
				t.Error("a thread in Object.wait released the monitor: no holds edge")
			}
			if mode := waitsMode(t, g, waiter, signal); mode != "condition" {
				t.Errorf("signal-waiter waits with lock.mode %q, want condition", mode)
			}
			if n := evidencetest.Node(t, g, signal); !strings.HasPrefix(n.Name, "Busy.signal (java.lang.Object <0x") {
				t.Errorf("signal lock named %q", n.Name)
			}
			pool := threadNamed(t, g, "pool-1-thread-1")
			if mode := waitsMode(t, g, pool, lockOf(t, g, pool, epg.EdgeWaits)); mode != "condition" {
				t.Errorf("idle pool thread parks on a Condition: lock.mode %q", mode)
			}
			c := evidencetest.Node(t, g, threadNamed(t, g, "compute-1"))
			if c.Attrs.Str(epg.AttrThreadState) != "runnable" {
				t.Errorf("compute-1 state %q", c.Attrs.Str(epg.AttrThreadState))
			}
			if _, ok := c.Attr(epg.AttrThreadWaitFor); ok {
				t.Error("a runnable thread has no wait reason")
			}
			vm := evidencetest.Node(t, g, threadNamed(t, g, "VM Thread"))
			if vm.Attrs.Str(epg.AttrThreadState) != "runnable" || !strings.HasPrefix(vm.Attrs.Str(epg.AttrThreadID), "0x") {
				t.Errorf("VM Thread attrs %v", vm.Attrs)
			}
		})
	}
}

// waitsMode returns the lock.mode of the waits edge from → to, failing
// when there is none.
func waitsMode(t *testing.T, g *epg.Graph, from, to string) string {
	t.Helper()
	i, _ := g.Lookup(from)
	for _, e := range g.Out(i) {
		_, j := g.Ends(e)
		if g.Edge(e).Kind == epg.EdgeWaits && g.Node(j).ID == to {
			return g.Edge(e).Attrs.Str(epg.AttrLockMode)
		}
	}
	t.Fatalf("no waits edge %s → %s", from, to)
	return ""
}

func TestSniff(t *testing.T) {
	d := &Decoder{}
	for _, p := range fixtures(t) {
		data, _ := os.ReadFile(p)
		if c := d.Sniff(&evidence.Input{Data: data}); c != evidence.Certain {
			t.Errorf("%s: sniff %v, want Certain", p, c)
		}
	}
	java, err := os.ReadFile(filepath.Join("..", "stacktrace", "testdata", "java_caused_by.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"java exception":   java,
		"thread exception": []byte("Exception in thread \"main\" java.lang.IllegalStateException: x\n\tat Foo.main(Foo.java:3)\n"),
		"zipkin":           []byte(`[{"traceId":"1","id":"a"}]`),
		"otlp":             []byte(`{"resourceSpans":[]}`),
		"empty":            nil,
	} {
		if c := d.Sniff(&evidence.Input{Data: data}); c != evidence.No {
			t.Errorf("%s: sniff %v, want No", name, c)
		}
	}
	headless := "\"t1\" #12 prio=5 os_prio=0 tid=0x1 nid=0x2 waiting for monitor entry\n   java.lang.Thread.State: BLOCKED (on object monitor)\n"
	if c := d.Sniff(&evidence.Input{Data: []byte(headless)}); c != evidence.Likely {
		t.Errorf("dump without header: sniff %v, want Likely", c)
	}
}
