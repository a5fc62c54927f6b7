package lockgraph

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// occurrence loads the AB-BA dump as its own occurrence (its own node
// IDs) and keeps only one of the two deadlocked goroutines: a dump in
// which that goroutine alone is stuck, holding its first lock and
// waiting for its second, with no deadlock.
func occurrence(t *testing.T, process, goroutine string) *epg.Graph {
	t.Helper()
	g := loadScoped(t, abbaDump, process)
	drop := epg.ThreadNodeID(process, map[string]string{"6": "7", "7": "6"}[goroutine])
	return g.Subgraph(func(n *epg.Node) bool { return n.ID != drop && n.Thread != drop })
}

func TestInversionAcrossOccurrencesWithoutDeadlock(t *testing.T) {
	first, second := occurrence(t, "host-a/1", "6"), occurrence(t, "host-b/2", "7")
	for _, g := range []*epg.Graph{first, second} {
		if r := Analyze(g, Options{}); len(r.Cycles) != 0 {
			t.Fatalf("one goroutine alone is no deadlock: %+v", r.Cycles)
		}
	}
	if r := Inversions([]*epg.Graph{first}, Options{}); len(r.Inversions) != 0 {
		t.Errorf("one order alone is no inversion: %+v", r.Inversions)
	}
	if r := Inversions([]*epg.Graph{first, first}, Options{}); len(r.Inversions) != 0 {
		t.Errorf("the same order twice is no inversion: %+v", r.Inversions)
	}
	r := Inversions([]*epg.Graph{first, second}, Options{})
	if r.Graphs != 2 || len(r.Inversions) != 1 {
		t.Fatalf("want 1 inversion across 2 graphs, got %+v", r)
	}
	inv := r.Inversions[0]
	if strings.Join(inv.Locks, ",") != "(*Replica).raftMu,(*Store).mu" || len(inv.Graphs) != 2 {
		t.Errorf("inversion locks %v graphs %v", inv.Locks, inv.Graphs)
	}
	want := map[string]struct {
		graph    int
		thread   string
		line     int
		function string
	}{
		"(*Store).mu":       {0, "goroutine 6", 30, "main.(*Store).Transfer"},
		"(*Replica).raftMu": {1, "goroutine 7", 43, "main.(*Replica).Apply"},
	}
	graphs := []*epg.Graph{first, second}
	for _, e := range inv.Orders {
		w := want[e.Before]
		if e.Count != 1 || len(e.Seen) != 1 {
			t.Fatalf("order %s→%s seen %d times: %+v", e.Before, e.After, e.Count, e.Seen)
		}
		s := e.Seen[0]
		if s.Graph != w.graph || s.ThreadName != w.thread {
			t.Errorf("%s→%s seen in graph %d by %s, want graph %d by %s", e.Before, e.After, s.Graph, s.ThreadName, w.graph, w.thread)
		}
		for _, site := range []*Site{s.HeldSite, s.WantedSite} {
			if site == nil || site.Line != w.line || site.Function != w.function {
				t.Errorf("%s→%s site %v, want main.go:%d %s", e.Before, e.After, site, w.line, w.function)
			}
		}
		for _, id := range []string{s.Thread, s.Held, s.Wanted} {
			if _, ok := graphs[s.Graph].Lookup(id); !ok {
				t.Errorf("%s is not a node of graph %d", id, s.Graph)
			}
		}
		if !strings.Contains(inv.Summary, s.HeldSite.String()) {
			t.Errorf("summary %q does not name %s", inv.Summary, s.HeldSite)
		}
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(Inversions([]*epg.Graph{first, second}, Options{}))
	if string(a) != string(b) {
		t.Error("inversion reports marshal differently")
	}
}

// Two dumps of the same JVM deadlock show each order twice.
func TestInversionCountsOccurrences(t *testing.T) {
	gs := []*epg.Graph{load(t, monitorJVM), load(t, monitorJcmd)}
	r := Inversions(gs, Options{MaxOrders: 1})
	if len(r.Inversions) != 1 {
		t.Fatalf("want 1 inversion, got %+v", r.Inversions)
	}
	inv := r.Inversions[0]
	if strings.Join(inv.Locks, ",") != "MonitorDeadlock.ACCOUNTS,MonitorDeadlock.LEDGER" {
		t.Errorf("locks %v", inv.Locks)
	}
	for _, e := range inv.Orders {
		if e.Count != 2 || len(e.Seen) != 1 || e.Omitted != 1 {
			t.Errorf("order %s→%s: count %d, %d listed, %d omitted; want 2, 1, 1", e.Before, e.After, e.Count, len(e.Seen), e.Omitted)
		}
	}
}

// A→B, B→C and C→A, each in a different occurrence, is an order cycle
// over three locks though no two orders conflict pairwise.
func TestOrderCycleOverThreeLocks(t *testing.T) {
	gs := []*epg.Graph{
		synth(t, []synthThread{{"t1", []string{"A"}, "B"}}),
		synth(t, []synthThread{{"t2", []string{"B"}, "C"}}),
		synth(t, []synthThread{{"t3", []string{"C"}, "A"}}),
	}
	r := Inversions(gs, Options{})
	if len(r.Inversions) != 1 {
		t.Fatalf("want 1 inversion, got %+v", r.Inversions)
	}
	inv := r.Inversions[0]
	if strings.Join(inv.Locks, ",") != "A,B,C" || len(inv.Orders) != 3 || len(inv.Graphs) != 3 {
		t.Errorf("inversion %+v", inv)
	}
	if !strings.HasPrefix(inv.Summary, "lock-order cycle over 3 locks") {
		t.Errorf("summary %q", inv.Summary)
	}
}
