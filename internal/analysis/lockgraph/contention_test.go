package lockgraph

import (
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// The contention program has four workers contend on an inventory mutex
// (held 200µs per order), a ledger mutex (300µs) and a catalog RWMutex
// that a repricer goroutine write-locks for 1ms at a time.
func TestContentionHotspots(t *testing.T) {
	g := load(t, contention)
	r := Analyze(g, Options{})
	if len(r.Cycles) != 0 {
		t.Errorf("an execution trace's summaries cannot close a cycle: %+v", r.Cycles)
	}
	var lines []int
	for _, h := range r.Hotspots {
		lines = append(lines, h.Site.Line)
	}
	if len(lines) != 3 || lines[0] != 27 || lines[1] != 56 || lines[2] != 41 {
		t.Fatalf("hotspots at lines %v, want 27 (Reserve), 56 (Price), 41 (Record), most waiting first", lines)
	}
	for i, h := range r.Hotspots {
		if i > 0 && h.WaitNs > r.Hotspots[i-1].WaitNs {
			t.Errorf("hotspots not ranked by wait: %d after %d", h.WaitNs, r.Hotspots[i-1].WaitNs)
		}
		n := node(t, g, h.Lock)
		if want, _ := n.Attr("lock.wait.total_ns"); h.WaitNs != want.IntVal() || h.WaitNs == 0 {
			t.Errorf("%s: wait %d ns, the trace says %d", h.Name, h.WaitNs, want.IntVal())
		}
		if h.Waiters != 4 {
			t.Errorf("%s: %d waiters, want the 4 workers", h.Name, h.Waiters)
		}
		var blamed int64
		for _, ho := range h.Holders {
			blamed += ho.BlockedNs
			if ho.Current || ho.Inferred != "unblock" || ho.Releases == 0 {
				t.Errorf("%s: holder %+v should be deduced from releases", h.Name, ho)
			}
		}
		if d := h.WaitNs - blamed; d < -int64(len(h.Holders)) || d > int64(len(h.Holders)) {
			t.Errorf("%s: holders blamed for %d ns of %d", h.Name, blamed, h.WaitNs)
		}
	}
	// Readers of the catalog wait behind the repricer alone, which takes
	// the lock elsewhere (Reprice), so its site is not claimed.
	price := r.Hotspots[1]
	if len(price.Holders) != 1 || price.Holders[0].BlockedNs != price.WaitNs || price.Holders[0].Site != nil {
		t.Fatalf("catalog holders %+v, want the repricer alone, blamed for all %d ns, site unknown", price.Holders, price.WaitNs)
	}
	repricer := node(t, g, price.Holders[0].Thread)
	if repricer.Loc == nil || repricer.Loc.Line != 123 {
		t.Errorf("catalog holder %s is not the repricer goroutine (main.go:123): %+v", repricer.Name, repricer.Loc)
	}
	for _, w := range r.Locks[0].Waiters {
		if w.Site == nil || w.Site.Line != 27 || w.Site.From != "lock-site" || w.Waits == 0 || w.WaitNs == 0 {
			t.Errorf("inventory waiter %+v", w)
		}
	}
}

func TestHotspotsAreBounded(t *testing.T) {
	r := Analyze(load(t, contention), Options{MaxHotspots: 1, MaxThreads: 2, MaxLocks: 2})
	if len(r.Hotspots) != 1 || r.OmittedHotspots != 2 {
		t.Errorf("hotspots %d omitted %d, want 1 and 2", len(r.Hotspots), r.OmittedHotspots)
	}
	if h := r.Hotspots[0]; len(h.Holders) != 2 || h.OmittedHolders != 2 {
		t.Errorf("holders %d omitted %d, want 2 and 2", len(h.Holders), h.OmittedHolders)
	}
	if len(r.Locks) != 2 || r.OmittedLocks != 1 || len(r.Locks[0].Waiters) != 2 || r.Locks[0].OmittedWaiters != 2 {
		t.Errorf("locks %d (omitted %d), first with %d waiters (omitted %d)",
			len(r.Locks), r.OmittedLocks, len(r.Locks[0].Waiters), r.Locks[0].OmittedWaiters)
	}
	if !strings.HasSuffix(r.Locks[0].Node, "main.go:27") {
		t.Errorf("the most contended lock should rank first: %s", r.Locks[0].Node)
	}
}

// In a dump, a current holder has held the lock at least as long as its
// longest waiter has waited.
func TestCurrentHolderBlame(t *testing.T) {
	b := epg.NewBuilder()
	lock := epg.LockNodeID("p", "mu")
	b.AddNode(epg.Node{ID: lock, Kind: epg.KindLock, Name: "(*Store).mu"})
	holder := epg.ThreadNodeID("p", "1")
	b.AddNode(epg.Node{ID: holder, Kind: epg.KindThread, Name: "goroutine 1"})
	b.AddEdge(epg.Edge{From: holder, To: lock, Kind: epg.EdgeHolds})
	for i, wait := range []int64{60e9, 120e9} {
		w := epg.ThreadNodeID("p", string(rune('2'+i)))
		b.AddNode(epg.Node{ID: w, Kind: epg.KindThread, Name: "waiter",
			Attrs: epg.Attrs{{Key: epg.AttrThreadWaitNs, Value: epg.Int(wait)}}})
		b.AddEdge(epg.Edge{From: w, To: lock, Kind: epg.EdgeWaits})
	}
	// A goroutine profile's node for 5 identical goroutines parked there.
	group := epg.ThreadNodeID("p", "group")
	b.AddNode(epg.Node{ID: group, Kind: epg.KindThread, Attrs: epg.Attrs{{Key: epg.AttrCount, Value: epg.Int(5)}}})
	b.AddEdge(epg.Edge{From: group, To: lock, Kind: epg.EdgeWaits})
	r := Analyze(b.Build(), Options{})
	if len(r.Hotspots) != 1 {
		t.Fatalf("hotspots %+v", r.Hotspots)
	}
	h := r.Hotspots[0]
	if h.WaitNs != 180e9 || h.MaxWaitNs != 120e9 || h.Current != 7 || h.Waiters != 7 || h.Waits != 7 {
		t.Errorf("hotspot %+v", h)
	}
	if ho := h.Holders[0]; ho.HeldAtLeastNs != 120e9 || ho.BlockedNs != 180e9 || !ho.Current {
		t.Errorf("holder %+v", ho)
	}
}

func node(t *testing.T, g *epg.Graph, id string) *epg.Node {
	t.Helper()
	i, ok := g.Lookup(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return g.Node(i)
}

// In a recording, a waiter's time goes to the holders that woke it (the
// happens_before edges), not to whoever released the lock most often.
func TestRecordedBlameFollowsWakeups(t *testing.T) {
	b := epg.NewBuilder()
	lock := epg.LockNodeID("p", "site")
	b.AddNode(epg.Node{ID: lock, Kind: epg.KindLock, Name: "mu"})
	thread := func(n string) string {
		id := epg.ThreadNodeID("p", n)
		b.AddNode(epg.Node{ID: id, Kind: epg.KindThread, Name: "goroutine " + n})
		return id
	}
	waiter, woke, busy := thread("1"), thread("2"), thread("3")
	b.AddEdge(epg.Edge{From: waiter, To: lock, Kind: epg.EdgeWaits, Attrs: epg.Attrs{
		{Key: "wait.count", Value: epg.Int(3)}, {Key: "wait.total_ns", Value: epg.Int(900)}}})
	hold := func(th string, releases int64) {
		b.AddEdge(epg.Edge{From: th, To: lock, Kind: epg.EdgeHolds, Inferred: true, Attrs: epg.SortAttrs(epg.Attrs{
			{Key: epg.AttrHowInferred, Value: epg.String("unblock")}, {Key: epg.AttrCount, Value: epg.Int(releases)}})})
	}
	hold(woke, 1)
	hold(busy, 10)
	b.AddEdge(epg.Edge{From: woke, To: waiter, Kind: epg.EdgeHappensBefore, Attrs: epg.SortAttrs(epg.Attrs{
		{Key: "unblock.count", Value: epg.Int(3)}, {Key: "unblock.reason", Value: epg.String("chan send")},
		{Key: "unblock.reasons", Value: epg.Array(epg.String("chan send"), epg.String("sync"))}})})
	b.AddEdge(epg.Edge{From: busy, To: waiter, Kind: epg.EdgeHappensBefore, Attrs: epg.SortAttrs(epg.Attrs{
		{Key: "unblock.count", Value: epg.Int(5)}, {Key: "unblock.reason", Value: epg.String("chan receive")}})})
	r := Analyze(b.Build(), Options{})
	hs := r.Hotspots[0].Holders
	if len(hs) != 2 || hs[0].Thread != woke || hs[0].BlockedNs != 900 || hs[1].BlockedNs != 0 {
		t.Errorf("holders %+v, want goroutine 2 blamed for all 900 ns", hs)
	}
}
