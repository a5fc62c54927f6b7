package causality

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tagdebug/tag/epg"
)

func order(t *testing.T, c *Clock, a, b Instant) Ordering {
	t.Helper()
	o, err := c.Order(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func start(id string) Instant { return Instant{Node: id} }
func end(id string) Instant   { return Instant{Node: id, End: true} }

// The backend's clock runs 5.1 ms behind (±100 µs), the database's
// 35 µs ahead of the backend's (±5 µs). Corrected, every request is
// received after it is sent and every reply sent before it is received;
// on the raw clocks the backend serves the call 4.9 ms before it is made
// and the database replies after the backend got its answer.
func TestZipkinSkewOrdersRPCs(t *testing.T) {
	g := load(t, skewHand)
	c, raw := NewClock(g, Options{}), NewClock(g, Options{NoSkew: true})
	for _, tc := range []struct {
		name       string
		a, b       Instant
		gap, unc   int64
		rawWrong   bool
		rawGapSign int64
	}{
		{"backend receives after the frontend sends", start(callBackend), start(serve), 100_000, 100_000, true, -1},
		{"backend replies before the frontend receives", end(serve), end(callBackend), 100_000, 100_000, false, 1},
		{"db receives after the backend sends", start(callDB), start(query), 5_000, 5_000, false, 1},
		{"db replies before the backend receives", end(query), end(callDB), 5_000, 5_000, true, -1},
		{"the backend logs its cache miss after the call was made", start(callBackend), start(cacheMiss), 150_000, 100_000, true, -1},
	} {
		o := order(t, c, tc.a, tc.b)
		if o.Relation != Before || o.GapNs != tc.gap || o.UncertaintyNs != tc.unc || o.LowNs < 0 {
			t.Errorf("%s: %s, gap %d ± %d; want before, %d ± %d", tc.name, o.Relation, o.GapNs, o.UncertaintyNs, tc.gap, tc.unc)
		}
		if o.Flipped != tc.rawWrong || (o.RawRelation == After) != tc.rawWrong || o.RawGapNs*tc.rawGapSign <= 0 {
			t.Errorf("%s: raw %s (gap %d), flipped %v; want raw wrong = %v", tc.name, o.RawRelation, o.RawGapNs, o.Flipped, tc.rawWrong)
		}
		if r := order(t, raw, tc.a, tc.b); (r.Relation == After) != tc.rawWrong || r.UncertaintyNs != 1000 {
			t.Errorf("%s: uncorrected clock says %s ± %d", tc.name, r.Relation, r.UncertaintyNs)
		}
	}
}

// Two instants of one service share its clock: their order is exact to
// the resolution, whatever the clock's offset. Across services the
// errors add up along the chain of estimates (frontend → backend → db).
func TestUncertaintyFollowsTheChainOfEstimates(t *testing.T) {
	c := NewClock(load(t, skewHand), Options{})
	same := order(t, c, start(serve), start(work))
	if same.SkewErrorNs != 0 || same.UncertaintyNs != 1000 || same.Relation != Before {
		t.Errorf("within the backend: %+v", same)
	}
	far := order(t, c, start(callCache), start(query))
	if far.SkewErrorNs != 105_000 || far.Relation != Concurrent {
		t.Errorf("frontend vs db: error %d, %s; want 105000, concurrent (gap %d)", far.SkewErrorNs, far.Relation, far.GapNs)
	}
	if tie := order(t, c, start(serve), start(serve)); tie.Relation != Concurrent {
		t.Errorf("an instant against itself: %s", tie.Relation)
	}
	if after := order(t, c, end(callBackend), start(callBackend)); after.Relation != After {
		t.Errorf("end before start: %s", after.Relation)
	}
}

// Along the request's path every step happens after the previous one,
// once corrected; the raw clocks break the path twice.
func TestPathAlongTheRequest(t *testing.T) {
	g := load(t, skewHand)
	path := []Instant{start(root), start(callBackend), start(serve), start(work), start(callDB), start(query),
		end(query), end(callDB), end(work), end(serve), end(callBackend), end(root)}
	steps, ok, err := NewClock(g, Options{}).Path(path)
	if err != nil || !ok || len(steps) != len(path)-1 {
		t.Fatalf("corrected path: ok %v, %d steps, %v: %+v", ok, len(steps), err, steps)
	}
	steps, ok, _ = NewClock(g, Options{NoSkew: true}).Path(path)
	bad := 0
	for _, s := range steps {
		if s.Relation == After {
			bad++
		}
	}
	if ok || bad != 2 {
		t.Errorf("raw path: ok %v with %d steps backwards, want 2", ok, bad)
	}
	if _, _, err := NewClock(g, Options{}).Path([]Instant{start(root), start("span:nope")}); !errors.Is(err, ErrNoTime) {
		t.Errorf("unknown node: %v", err)
	}
}

func TestRPCReport(t *testing.T) {
	g := load(t, skewHand)
	r := NewClock(g, Options{}).RPCs()
	if len(r.RPCs) != 3 || r.Violated != 0 || r.Corrected != 2 {
		t.Fatalf("corrected: %d RPCs, %d violated, %d corrected; want 3, 0, 2", len(r.RPCs), r.Violated, r.Corrected)
	}
	if r.RPCs[0].Client != callBackend || r.RPCs[1].Client != callDB || r.RPCs[2].Client != callCache {
		t.Errorf("order: corrected first, then by client: %s %s %s", r.RPCs[0].Client, r.RPCs[1].Client, r.RPCs[2].Client)
	}
	raw := NewClock(g, Options{NoSkew: true}).RPCs()
	if raw.Violated != 2 || raw.Corrected != 0 || raw.RPCs[2].Client != callCache {
		t.Errorf("raw: %d violated, %d corrected", raw.Violated, raw.Corrected)
	}
	a, _ := json.Marshal(r)
	b, _ := json.Marshal(NewClock(g, Options{}).RPCs())
	if string(a) != string(b) {
		t.Error("RPC reports marshal differently")
	}
	if small := NewClock(g, Options{MaxRPCs: 1}).RPCs(); len(small.RPCs) != 1 || small.Omitted != 2 {
		t.Errorf("bounded: %d listed, %d omitted", len(small.RPCs), small.Omitted)
	}
}

// The Zipkin project's own skew example, and real traces from
// SmartThings with several skewed services: the correction fixes RPCs
// the raw clocks put out of order. What it leaves out of order in the
// SmartThings traces are servers that outlast their clients (no offset
// can fit them) and calls that disagree with their service's one
// per-service estimate, which is the tightest of its RPCs.
func TestConformanceTracesAreMoreCausalOnceCorrected(t *testing.T) {
	for _, name := range []string{"skew.json", "smartthings-mobile-web-install.json", "smartthings-oauth-authorization.json"} {
		g := load(t, sharedCorpus(t, "zipkin", name))
		r := NewClock(g, Options{MaxRPCs: 1 << 20}).RPCs()
		raw := NewClock(g, Options{NoSkew: true, MaxRPCs: 1 << 20}).RPCs()
		t.Logf("%s: %d RPCs; raw clocks: %d out of order; corrected: %d out of order (%d unfit), %d fixed",
			name, len(r.RPCs), raw.Violated, r.Violated, r.Unfit, r.Corrected)
		if r.Corrected == 0 || r.Violated >= raw.Violated || r.Violated+r.Corrected != raw.Violated {
			t.Errorf("%s: raw %d violated; corrected %d violated, %d fixed", name, raw.Violated, r.Violated, r.Corrected)
		}
		if name == "skew.json" && r.Violated != 0 {
			t.Errorf("%s: %d RPCs still out of order", name, r.Violated)
		}
	}
}

func TestResolutionDetection(t *testing.T) {
	build := func(step int64) *epg.Graph {
		b := epg.NewBuilder()
		for i := range int64(40) {
			t0 := 1_700_000_000_000_000_000 + i*step + 7*step/10
			b.AddNode(epg.Node{ID: epg.SpanNodeID("t", string(rune('a'+i))), Kind: epg.KindSpan, Service: "s",
				Start: t0, End: t0 + step})
		}
		return b.Build()
	}
	for _, tc := range []struct{ step, want int64 }{{1_000_000_000, 1_000_000}, {1000, 100}, {1, 1}} {
		c := NewClock(build(tc.step), Options{})
		if got := c.resolution("s"); got != tc.want {
			t.Errorf("step %d: resolution %d, want %d", tc.step, got, tc.want)
		}
	}
	if got := NewClock(build(1), Options{Resolution: 500}).resolution("s"); got != 500 {
		t.Errorf("override: %d", got)
	}
}
