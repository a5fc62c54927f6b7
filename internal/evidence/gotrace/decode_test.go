package gotrace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

var fixtures = []string{"contention", "flightrec"}

func TestGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			evidencetest.Golden(t, &Decoder{}, filepath.Join("testdata", name+".trace"), filepath.Join("testdata", name+".golden.json"))
		})
	}
}

func TestSniff(t *testing.T) {
	d := &Decoder{}
	data, err := os.ReadFile(filepath.Join("testdata", "contention.trace"))
	if err != nil {
		t.Fatal(err)
	}
	if c := d.Sniff(&evidence.Input{Data: data}); c != evidence.Certain {
		t.Errorf("fixture sniffed as %v", c)
	}
	for _, s := range []string{"", "go 1.26 trac", "goroutine 1 [running]:\n", "[{\"traceId\":\"1\"}]"} {
		if c := d.Sniff(&evidence.Input{Data: []byte(s)}); c != evidence.No {
			t.Errorf("%q sniffed as %v", s, c)
		}
	}
}

// decodeFixture decodes testdata/<name>.trace with in's other fields.
func decodeFixture(t *testing.T, name string, in evidence.Input) (*epg.Fragment, *epg.Graph) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".trace"))
	if err != nil {
		t.Fatal(err)
	}
	in.Name, in.Data = name+".trace", data
	f, err := (&Decoder{}).Decode(context.Background(), &in)
	if err != nil {
		t.Fatal(err)
	}
	return f, evidencetest.Build(f)
}

// nodes returns the nodes of kind k whose name or ID contains sub.
func nodes(g *epg.Graph, k epg.NodeKind, sub string) []*epg.Node {
	var out []*epg.Node
	g.Nodes(k, func(_ int32, n *epg.Node) bool {
		if strings.Contains(n.Name, sub) || strings.Contains(n.ID, sub) {
			out = append(out, n)
		}
		return true
	})
	return out
}

// edges returns the edges of kind k into node id.
func edgesInto(g *epg.Graph, id string, k epg.EdgeKind) []*epg.Edge {
	i, ok := g.Lookup(id)
	if !ok {
		return nil
	}
	var out []*epg.Edge
	for _, e := range g.In(i) {
		if g.Edge(e).Kind == k {
			out = append(out, g.Edge(e))
		}
	}
	return out
}

func intAttr(as epg.Attrs, k string) int64 {
	v, _ := as.Get(k)
	return v.IntVal()
}

// TestContentionLocks: both mutexes of the contention program become
// locks named by their acquiring call site, with waits from the workers
// that add up, and holds inferred from the wake-ups.
func TestContentionLocks(t *testing.T) {
	_, g := decodeFixture(t, "contention", evidence.Input{})
	for _, site := range []string{"main.(*Inventory).Reserve", "main.(*Ledger).Record"} {
		ls := nodes(g, epg.KindLock, site)
		if len(ls) != 1 {
			t.Fatalf("%d lock nodes for %s, want 1", len(ls), site)
		}
		l := ls[0]
		if l.Attrs.Str(epg.AttrLockKind) != "mutex" || l.Loc == nil || !strings.HasSuffix(l.Loc.File, "contention/main.go") {
			t.Errorf("lock %s: kind %q loc %+v", l.Name, l.Attrs.Str(epg.AttrLockKind), l.Loc)
		}
		waits := edgesInto(g, l.ID, epg.EdgeWaits)
		if len(waits) < 2 {
			t.Fatalf("lock %s has %d waiters, want several workers", l.Name, len(waits))
		}
		var count, total int64
		for _, w := range waits {
			n, tot, mx := intAttr(w.Attrs, "wait.count"), intAttr(w.Attrs, "wait.total_ns"), intAttr(w.Attrs, "wait.max_ns")
			first, last := intAttr(w.Attrs, "wait.first_unix_nano"), intAttr(w.Attrs, "wait.last_unix_nano")
			// The program holds each lock for 200-300µs of spinning, so a
			// wait is between a few µs and a few queue lengths of that.
			if n < 1 || mx <= 0 || mx > 100e6 || tot < mx || tot > n*mx || last-first < mx || w.Inferred {
				t.Errorf("%s → %s: count %d total %d max %d span %d", w.From, l.Name, n, tot, mx, last-first)
			}
			if first < 1.7e18 {
				t.Errorf("%s → %s: first wait %d is not a Unix time", w.From, l.Name, first)
			}
			count += n
			total += tot
		}
		if intAttr(l.Attrs, "lock.wait.count") != count || intAttr(l.Attrs, "lock.wait.total_ns") != total {
			t.Errorf("lock %s totals %d/%d, edges add up to %d/%d", l.Name,
				intAttr(l.Attrs, "lock.wait.count"), intAttr(l.Attrs, "lock.wait.total_ns"), count, total)
		}
		holds := edgesInto(g, l.ID, epg.EdgeHolds)
		if len(holds) == 0 {
			t.Errorf("lock %s: no holds inferred from unblocks", l.Name)
		}
		for _, h := range holds {
			if !h.Inferred || h.Attrs.Str(epg.AttrHowInferred) != "unblock" || intAttr(h.Attrs, epg.AttrCount) < 1 {
				t.Errorf("holds %s → %s: %+v", h.From, l.Name, h)
			}
		}
	}
	// Workers read the catalog under RLock while the repricer writes it.
	cat := nodes(g, epg.KindLock, "main.(*Catalog).Price")
	if len(cat) != 1 || cat[0].Attrs.Str(epg.AttrLockKind) != "rwmutex" {
		t.Fatalf("catalog locks: %d", len(cat))
	}
	for _, w := range edgesInto(g, cat[0].ID, epg.EdgeWaits) {
		if w.Attrs.Str(epg.AttrLockMode) != "read" {
			t.Errorf("%s waits for the catalog in mode %q, want read", w.From, w.Attrs.Str(epg.AttrLockMode))
		}
	}
	// The WaitGroup wait of main is a block, not a lock.
	if ls := nodes(g, epg.KindLock, "main.main"); len(ls) != 0 {
		t.Errorf("WaitGroup.Wait made a lock: %s", ls[0].Name)
	}
}

// TestContentionThreads checks the goroutines, their creation and the
// orderings between them.
func TestContentionThreads(t *testing.T) {
	f, g := decodeFixture(t, "contention", evidence.Input{})
	scope := (&evidence.Input{Data: mustRead(t, "contention")}).Scope()
	main := evidencetest.Node(t, g, epg.ThreadNodeID(scope, "1"))
	if intAttr(main.Attrs, "block.chan_send_count") < 10 {
		t.Errorf("main's channel handoffs: %d sends blocked, want many of 40", intAttr(main.Attrs, "block.chan_send_count"))
	}
	workers := nodes(g, epg.KindThread, "")
	var nworkers int
	for _, w := range workers {
		if w.Attrs.Str("thread.entry") != "main.worker" {
			continue
		}
		nworkers++
		if w.Attrs.Str(epg.AttrThreadCreatedBy) != "main.main" || w.Attrs.Str(epg.AttrThreadState) != "dead" {
			t.Errorf("%s: created_by %q state %q", w.ID, w.Attrs.Str(epg.AttrThreadCreatedBy), w.Attrs.Str(epg.AttrThreadState))
		}
		if !evidencetest.HasEdge(g, main.ID, w.ID, epg.EdgeHappensBefore) {
			t.Errorf("no happens_before main → %s from the go statement", w.ID)
		}
		if intAttr(w.Attrs, "block.sync_ns") <= 0 || w.Loc == nil || !w.Loc.InApp {
			t.Errorf("%s: sync blocking %d, loc %+v", w.ID, intAttr(w.Attrs, "block.sync_ns"), w.Loc)
		}
		if w.Start <= 0 || w.End <= w.Start {
			t.Errorf("%s: times %d..%d", w.ID, w.Start, w.End)
		}
		created := 0
		for i := range f.Nodes {
			if strings.HasPrefix(f.Nodes[i].ID, w.ID+"/created/") {
				created++
			}
		}
		if created == 0 {
			t.Errorf("%s has no creation stack", w.ID)
		}
	}
	if nworkers != 4 {
		t.Errorf("%d worker goroutines, want 4", nworkers)
	}
	if n := len(nodes(g, epg.KindThread, "")); n > 7 {
		t.Errorf("%d thread nodes: runtime goroutines leaked in", n)
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Kind == epg.KindFrame && strings.HasPrefix(n.Name, "sync.") && n.Loc.InApp {
			t.Errorf("frame %s counted as in-app", n.Name)
		}
	}
}

// TestContentionAnnotations: the task, its two regions and its three
// logs, with the OTel IDs of the logs on all of them.
func TestContentionAnnotations(t *testing.T) {
	_, g := decodeFixture(t, "contention", evidence.Input{})
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	byType := map[string][]*epg.Node{}
	g.Nodes(epg.KindEvent, func(_ int32, n *epg.Node) bool {
		byType[n.EventType()] = append(byType[n.EventType()], n)
		return true
	})
	if len(byType["task"]) != 1 || len(byType["region"]) != 2 || len(byType[epg.EventLog]) != 3 || len(byType["trace"]) != 1 {
		t.Fatalf("events: %d tasks, %d regions, %d logs, %d summaries", len(byType["task"]), len(byType["region"]), len(byType[epg.EventLog]), len(byType["trace"]))
	}
	task := byType["task"][0]
	if task.Name != "checkout" || task.Duration() <= 0 || task.Thread == "" {
		t.Errorf("task %+v", task)
	}
	if !evidencetest.HasEdge(g, task.Thread, task.ID, epg.EdgeEmits) {
		t.Error("the task's goroutine does not emit it")
	}
	for _, n := range append(append([]*epg.Node{task}, byType["region"]...), byType[epg.EventLog]...) {
		if n.Trace.TraceID != traceID || n.Trace.SpanID != spanID {
			t.Errorf("%s %q: trace %+v, want the logged OTel IDs", n.EventType(), n.Name, n.Trace)
		}
	}
	for _, r := range byType["region"] {
		if !evidencetest.HasEdge(g, task.ID, r.ID, epg.EdgeCall) || r.Start < task.Start || r.End > task.End {
			t.Errorf("region %q is not inside its task", r.Name)
		}
	}
	var order *epg.Node
	for _, l := range byType[epg.EventLog] {
		if l.Attrs.Str("log.category") == "order" {
			order = l
		}
	}
	if order == nil || !strings.HasPrefix(order.Attrs.Str("log.message"), "recorded ") {
		t.Errorf("order log %+v", order)
	}
	// The EPG builder joins the task's events to the span they name.
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Nodes: []epg.Node{{ID: epg.SpanNodeID(traceID, spanID), Kind: epg.KindSpan, Name: "POST /checkout"}}})
	f, _ := decodeFixture(t, "contention", evidence.Input{})
	b.Add(f)
	joined := b.Build()
	span := epg.SpanNodeID(traceID, spanID)
	if !evidencetest.HasEdge(joined, span, task.ID, epg.EdgeEmits) {
		t.Error("the span does not emit the task")
	}
	for _, l := range byType[epg.EventLog] {
		if !evidencetest.HasEdge(joined, l.ID, span, epg.EdgeCorrelates) {
			t.Errorf("log %q not correlated with the span", l.Name)
		}
	}
}

// TestFlightRecorder: in the snapshot, the refresher holds the cache lock
// across a 3s reload while three readers wait for it.
func TestFlightRecorder(t *testing.T) {
	_, g := decodeFixture(t, "flightrec", evidence.Input{})
	ls := nodes(g, epg.KindLock, "main.(*Cache).Get")
	if len(ls) != 1 {
		t.Fatalf("%d cache locks", len(ls))
	}
	l := ls[0]
	waits := edgesInto(g, l.ID, epg.EdgeWaits)
	if len(waits) != 3 {
		t.Errorf("%d readers wait for the cache lock, want 3", len(waits))
	}
	for _, w := range waits {
		// The reload takes 3s; the snapshot's window opens while the
		// readers already wait, so it sees a good part of that, marked as
		// a lower bound.
		if d := intAttr(w.Attrs, "wait.max_ns"); d < 0.5e9 || d > 3.5e9 {
			t.Errorf("%s waited %dns, want a large part of the 3s reload", w.From, d)
		}
		if v, _ := w.Attrs.Get("wait.began_before_trace"); !v.BoolVal() {
			t.Errorf("%s's wait is not marked as begun before the snapshot", w.From)
		}
	}
	// The refresher (the goroutine that slept 40ms) released the lock to
	// the first reader.
	var refresher string
	g.Nodes(epg.KindThread, func(_ int32, n *epg.Node) bool {
		if intAttr(n.Attrs, "block.sleep_ns") > 20e6 {
			refresher = n.ID
		}
		return true
	})
	if refresher == "" || !evidencetest.HasEdge(g, refresher, l.ID, epg.EdgeHolds) {
		t.Errorf("no holds edge from the refresher %q to the cache lock", refresher)
	}
	if !hasAnyHB(g, refresher) {
		t.Errorf("the refresher %q orders no reader", refresher)
	}
	if intAttr(l.Attrs, "lock.wait.max_ns") < 0.5e9 {
		t.Errorf("lock contention max %d", intAttr(l.Attrs, "lock.wait.max_ns"))
	}
}

// TestLockNameFromSource: with source roots the lock takes the name of
// the locked expression.
func TestLockNameFromSource(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	_, g := decodeFixture(t, "contention", evidence.Input{SourceRoots: []string{root}})
	for _, want := range []string{"inv.mu", "l.mu"} {
		found := false
		g.Nodes(epg.KindLock, func(_ int32, n *epg.Node) bool {
			found = found || n.Name == want
			return true
		})
		if !found {
			t.Errorf("no lock named %q", want)
		}
	}
}

// TestLimits: caps cut nodes and say so on the summary.
func TestLimits(t *testing.T) {
	data := mustRead(t, "contention")
	d := &Decoder{Limits: Limits{Goroutines: 2, Locks: 1, Events: 2, Edges: 1}}
	f, err := d.Decode(context.Background(), &evidence.Input{Name: "c", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	g := evidencetest.Build(f)
	if n := len(nodes(g, epg.KindThread, "")); n != 2 {
		t.Errorf("%d threads, want 2", n)
	}
	if n := len(nodes(g, epg.KindLock, "")); n != 1 {
		t.Errorf("%d locks, want 1", n)
	}
	sum := nodes(g, epg.KindEvent, "go execution trace")
	if len(sum) != 1 {
		t.Fatal("no summary")
	}
	for _, k := range []string{"dropped.goroutines", "dropped.locks", "dropped.events", "dropped.edges"} {
		if intAttr(sum[0].Attrs, k) <= 0 {
			t.Errorf("summary lacks %s: %v", k, sum[0].Attrs)
		}
	}
}

// hasAnyHB reports whether id orders some other goroutine.
func hasAnyHB(g *epg.Graph, id string) bool {
	i, ok := g.Lookup(id)
	return ok && len(g.Children(i, epg.EdgeHappensBefore)) > 0
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".trace"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestOTelIDs(t *testing.T) {
	cases := []struct {
		cat, msg string
		want     epg.TraceRef
	}{
		{"otel.trace_id", "4BF92F3577B34DA6A3CE929D0E0E4736", epg.TraceRef{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736"}},
		{"trace_id", " a3ce929d0e0e4736 ", epg.TraceRef{TraceID: "0000000000000000a3ce929d0e0e4736"}},
		{"span_id", "00f067aa0ba902b7", epg.TraceRef{SpanID: "00f067aa0ba902b7"}},
		{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", epg.TraceRef{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7"}},
		{"trace_id", "00000000000000000000000000000000", epg.TraceRef{}},
		{"trace_id", "not hex", epg.TraceRef{}},
		{"order", "4bf92f3577b34da6a3ce929d0e0e4736", epg.TraceRef{}},
	}
	for _, c := range cases {
		if got := otelIDs(c.cat, c.msg); got != c.want {
			t.Errorf("otelIDs(%q, %q) = %+v, want %+v", c.cat, c.msg, got, c.want)
		}
	}
}
