package epg_test

import (
	"testing"

	"github.com/tagdebug/tag/epg"
)

func mustLookup(t *testing.T, g *epg.Graph, id string) int32 {
	t.Helper()
	i, ok := g.Lookup(id)
	if !ok {
		t.Fatalf("node %q missing", id)
	}
	return i
}

// edgesOf lists the graph's edges as "from -kind-> to" strings, with a "~"
// suffix for inferred ones.
func edgesOf(g *epg.Graph) map[string]*epg.Edge {
	out := map[string]*epg.Edge{}
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		ed := g.Edge(e)
		out[ed.From+" -"+ed.Kind.String()+"-> "+ed.To] = ed
	}
	return out
}

func TestBuilderMergesNodes(t *testing.T) {
	loc := &epg.Location{File: "a.go", Line: 3}
	f1 := &epg.Fragment{Source: "one", Nodes: []epg.Node{{
		ID: "n", Name: "first", Start: 100, End: 200,
		Attrs: epg.Attrs{{Key: "a", Value: epg.Int(1)}, {Key: "shared", Value: epg.String("f1")}},
	}}}
	f2 := &epg.Fragment{Source: "two", Nodes: []epg.Node{{
		ID: "n", Kind: epg.KindSpan, Name: "second", Start: 50, End: 150, Loc: loc,
		Trace: epg.TraceRef{TraceID: "t", SpanID: "s"}, Thread: "th", Service: "svc", Policy: "p",
		Attrs: epg.Attrs{{Key: "b", Value: epg.Int(2)}, {Key: "shared", Value: epg.String("f2")}},
	}}}
	f3 := &epg.Fragment{Nodes: []epg.Node{{ID: "n", Kind: epg.KindEvent, Service: "other", End: 300, Start: 0}}}
	b := epg.NewBuilder()
	b.Add(f1)
	b.Add(f2)
	b.Add(f3)
	g := b.Build()
	if g.NumNodes() != 1 {
		t.Fatalf("NumNodes = %d, want 1", g.NumNodes())
	}
	n := g.Node(mustLookup(t, g, "n"))
	if n.Name != "first" {
		t.Errorf("Name = %q, want first writer's", n.Name)
	}
	if n.Kind != epg.KindSpan {
		t.Errorf("Kind = %v, want span (filled from the second fragment, not overwritten by the third)", n.Kind)
	}
	if n.Loc != loc || n.Trace.TraceID != "t" || n.Trace.SpanID != "s" || n.Thread != "th" || n.Service != "svc" || n.Policy != "p" {
		t.Errorf("empty fields not filled: %+v", n)
	}
	if n.Start != 50 || n.End != 300 {
		t.Errorf("time range = [%d,%d], want widened to [50,300]", n.Start, n.End)
	}
	if len(n.Attrs) != 3 {
		t.Fatalf("attrs = %+v, want union of 3", n.Attrs)
	}
	for i := 1; i < len(n.Attrs); i++ {
		if n.Attrs[i-1].Key >= n.Attrs[i].Key {
			t.Errorf("attrs not sorted: %+v", n.Attrs)
		}
	}
	if v, _ := n.Attr("shared"); v.Str() != "f1" {
		t.Errorf("shared = %q, want first writer's f1", v.Str())
	}
	if v, _ := n.Attr("b"); v.IntVal() != 2 {
		t.Errorf("b = %v", v.AsString())
	}
	if got := g.Sources(); len(got) != 2 || got[0] != "one" || got[1] != "two" {
		t.Errorf("Sources = %v", got)
	}
}

// A merge must not write through to the fragments the caller handed in: a
// decoder's attrs slice often has spare capacity that an insert would shift.
func TestBuilderDoesNotMutateFragments(t *testing.T) {
	attrs := make(epg.Attrs, 0, 8)
	attrs = append(attrs, epg.Attr{Key: "a", Value: epg.Int(1)}, epg.Attr{Key: "c", Value: epg.Int(3)})
	f1 := &epg.Fragment{Nodes: []epg.Node{{ID: "n", Attrs: attrs}}}
	f2 := &epg.Fragment{Nodes: []epg.Node{{ID: "n", Attrs: epg.Attrs{{Key: "b", Value: epg.Int(2)}}}}}
	b := epg.NewBuilder()
	b.Add(f1)
	b.Add(f2)
	g := b.Build()
	if got := f1.Nodes[0].Attrs; len(got) != 2 || got[0].Key != "a" || got[1].Key != "c" {
		t.Errorf("first fragment's attrs changed to %+v", got)
	}
	if got := g.Node(0).Attrs; len(got) != 3 {
		t.Errorf("merged attrs = %+v", got)
	}
}

func TestBuilderStartZeroIsUnknown(t *testing.T) {
	b := epg.NewBuilder()
	b.AddNode(epg.Node{ID: "n"})
	b.AddNode(epg.Node{ID: "n", Start: 70, End: 80})
	b.AddNode(epg.Node{ID: "n", Start: 90, End: 75})
	g := b.Build()
	if n := g.Node(0); n.Start != 70 || n.End != 80 {
		t.Errorf("range = [%d,%d], want [70,80]", n.Start, n.End)
	}
}

func TestBuilderEdges(t *testing.T) {
	f1 := &epg.Fragment{
		Nodes: []epg.Node{{ID: "a"}, {ID: "b"}},
		Edges: []epg.Edge{
			{From: "a", To: "b", Kind: epg.EdgeCall, Attrs: epg.Attrs{{Key: "first", Value: epg.Bool(true)}}},
			{From: "a", To: "b", Kind: epg.EdgeCall}, // duplicate in the same fragment
			{From: "a", To: "b", Kind: epg.EdgeHappensBefore},
			{From: "b", To: "a", Kind: epg.EdgeCall},
			{From: "a", To: "c", Kind: epg.EdgeIO},       // c arrives later
			{From: "a", To: "ghost", Kind: epg.EdgeCall}, // never arrives
		},
	}
	f2 := &epg.Fragment{
		Nodes: []epg.Node{{ID: "c"}},
		Edges: []epg.Edge{
			{From: "a", To: "b", Kind: epg.EdgeCall, Inferred: true}, // duplicate across fragments
			{From: "phantom", To: "c", Kind: epg.EdgeRef},            // never arrives
			{From: "c", To: "b", Kind: epg.EdgeRef},
		},
	}
	b := epg.NewBuilder()
	b.Add(f1)
	b.Add(f2)
	g := b.Build()
	es := edgesOf(g)
	want := []string{"a -call-> b", "a -happens_before-> b", "b -call-> a", "a -io-> c", "c -ref-> b"}
	if len(es) != len(want) || g.NumEdges() != len(want) {
		t.Fatalf("edges = %v, want %v", keys(es), want)
	}
	for _, w := range want {
		if es[w] == nil {
			t.Errorf("missing edge %s", w)
		}
	}
	if e := es["a -call-> b"]; e.Inferred || len(e.Attrs) != 1 {
		t.Errorf("duplicate edge did not keep the first: %+v", e)
	}
	if g.Unresolved() != 2 {
		t.Errorf("Unresolved = %d, want 2", g.Unresolved())
	}
	ai, ci := mustLookup(t, g, "a"), mustLookup(t, g, "c")
	if got := g.Children(ai, epg.EdgeIO); len(got) != 1 || got[0] != ci {
		t.Errorf("later-arriving target not linked: %v", got)
	}
}

func TestBuilderEmpty(t *testing.T) {
	g := epg.NewBuilder().Build()
	if g.NumNodes() != 0 || g.NumEdges() != 0 || g.Unresolved() != 0 {
		t.Fatalf("empty graph: %d nodes %d edges", g.NumNodes(), g.NumEdges())
	}
	g.Walk(nil, epg.Both, nil, func(int32, int) bool { t.Fatal("visited"); return true })
	if c := g.FindCycle(epg.EdgeCall); c != nil {
		t.Errorf("cycle in empty graph: %v", c)
	}
}

func logEvent(id, trace, span, svc string, at int64) epg.Node {
	return epg.Node{ID: id, Kind: epg.KindEvent, Service: svc, Start: at, End: at,
		Trace: epg.TraceRef{TraceID: trace, SpanID: span},
		Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventLog)}}}
}

func exceptionEvent(id, trace, span, svc string, at int64) epg.Node {
	return epg.Node{ID: id, Kind: epg.KindEvent, Service: svc, Start: at, End: at,
		Trace: epg.TraceRef{TraceID: trace, SpanID: span},
		Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventException)}}}
}

func span(trace, id, svc string, start, end int64) epg.Node {
	return epg.Node{ID: epg.SpanNodeID(trace, id), Kind: epg.KindSpan, Service: svc, Start: start, End: end,
		Trace: epg.TraceRef{TraceID: trace, SpanID: id}}
}

func TestJoinBySpan(t *testing.T) {
	spans := &epg.Fragment{Source: "traces", Nodes: []epg.Node{span("t1", "s1", "api", 100, 200)}}
	logs := &epg.Fragment{Source: "logs", Nodes: []epg.Node{
		logEvent("log1", "t1", "s1", "api", 150),
		exceptionEvent("exc1", "t1", "s1", "api", 160),
		logEvent("log-other-trace", "t2", "s1", "api", 150),                                   // no such span
		logEvent("log-no-span", "t1", "", "api", 150),                                         // trace only: not joined by span
		{ID: "frame1", Kind: epg.KindFrame, Trace: epg.TraceRef{TraceID: "t1", SpanID: "s1"}}, // not an event
	}}
	// Logs first: the span arrives in a later fragment and still joins.
	b := epg.NewBuilder()
	b.Add(logs)
	b.Add(spans)
	g := b.Build()
	es := edgesOf(g)
	sp := epg.SpanNodeID("t1", "s1")
	if e := es["log1 -correlates-> "+sp]; e == nil || e.Inferred {
		t.Errorf("log not correlated with its span: %v", keys(es))
	}
	if e := es[sp+" -emits-> exc1"]; e == nil || e.Inferred {
		t.Errorf("span does not emit its exception: %v", keys(es))
	}
	if len(es) != 2 {
		t.Errorf("unexpected edges: %v", keys(es))
	}
}

func TestJoinBySpanKeepsDecoderEdge(t *testing.T) {
	sp := epg.SpanNodeID("t1", "s1")
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{span("t1", "s1", "api", 100, 200), exceptionEvent("exc", "t1", "s1", "api", 150)},
		Edges: []epg.Edge{{From: sp, To: "exc", Kind: epg.EdgeEmits, Attrs: epg.Attrs{{Key: "from", Value: epg.String("decoder")}}}},
	})
	g := b.Build()
	if g.NumEdges() != 1 {
		t.Fatalf("edges = %v, want the decoder's one", keys(edgesOf(g)))
	}
	if g.Edge(0).Attrs.Str("from") != "decoder" {
		t.Errorf("join replaced the decoder's edge")
	}
}

func TestJoinByTime(t *testing.T) {
	outer := span("t1", "outer", "api", 100, 1000)
	inner := span("t1", "inner", "api", 200, 300)
	innermost := span("t1", "innermost", "api", 250, 260)
	otherSvc := span("t2", "x", "db", 1, 10000)
	zeroDur := span("t1", "point", "api", 500, 500)
	nodes := []epg.Node{outer, inner, innermost, otherSvc, zeroDur,
		logEvent("in-outer", "", "", "api", 150),
		logEvent("in-inner", "", "", "api", 210),
		logEvent("in-innermost", "", "", "api", 255),
		logEvent("at-edge", "", "", "api", 300), // inclusive end
		logEvent("at-point", "", "", "api", 500),
		logEvent("outside", "", "", "api", 5000),
		logEvent("wrong-service", "", "", "web", 150),
		logEvent("no-service", "", "", "", 150),
		logEvent("no-time", "", "", "api", 0),
		logEvent("has-trace", "t9", "", "api", 150),
		exceptionEvent("exc", "", "", "api", 220),
		exceptionEvent("db-exc", "", "", "db", 50),
	}
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Nodes: nodes})
	g := b.Build()
	es := edgesOf(g)
	want := map[string]bool{
		"in-outer -correlates-> " + outer.ID:         true,
		"in-inner -correlates-> " + inner.ID:         true,
		"in-innermost -correlates-> " + innermost.ID: true,
		"at-edge -correlates-> " + inner.ID:          true,
		"at-point -correlates-> " + outer.ID:         true,
		inner.ID + " -emits-> exc":                   true,
		otherSvc.ID + " -emits-> db-exc":             true,
	}
	for k := range want {
		e := es[k]
		if e == nil {
			t.Errorf("missing %s", k)
			continue
		}
		if !e.Inferred {
			t.Errorf("%s not marked inferred", k)
		}
		if v, ok := e.Attrs.Get(epg.AttrInferredJoinKey); !ok || v.Str() != "time" {
			t.Errorf("%s lacks join=time: %+v", k, e.Attrs)
		}
	}
	for k := range es {
		if !want[k] {
			t.Errorf("unexpected edge %s", k)
		}
	}
}

func TestSkewMergeKeepsTighter(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{Skews: []epg.Skew{{Service: "web", Offset: 5, Error: 100, Method: "a"}, {Service: "api", Offset: 1, Error: 10}}})
	b.Add(&epg.Fragment{Skews: []epg.Skew{{Service: "web", Offset: 7, Error: 20, Method: "b"}, {Service: "api", Offset: 2, Error: 50}}})
	b.Add(&epg.Fragment{Skews: []epg.Skew{{Service: "web", Offset: 9, Error: 20, Method: "c"}}}) // tie: keep earlier
	g := b.Build()
	sk := g.Skews()
	if len(sk) != 2 || sk[0].Service != "api" || sk[1].Service != "web" {
		t.Fatalf("skews = %+v, want sorted api, web", sk)
	}
	if s, _ := g.SkewOf("web"); s.Offset != 7 || s.Error != 20 || s.Method != "b" {
		t.Errorf("web skew = %+v, want the tighter estimate b", s)
	}
	if s, _ := g.SkewOf("api"); s.Offset != 1 || s.Error != 10 {
		t.Errorf("api skew = %+v", s)
	}
	if _, ok := g.SkewOf("nope"); ok {
		t.Error("SkewOf found a missing service")
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Two equally long spans both contain the log: the join must not depend on
// the order the fragments arrived in.
func TestJoinByTimeTieIsOrderIndependent(t *testing.T) {
	a, z := span("t", "a", "api", 100, 200), span("t", "z", "api", 100, 200)
	log := logEvent("log", "", "", "api", 150)
	for _, order := range [][]epg.Node{{a, z, log}, {z, a, log}, {log, z, a}} {
		b := epg.NewBuilder()
		for _, n := range order {
			b.Add(&epg.Fragment{Nodes: []epg.Node{n}})
		}
		g := b.Build()
		if es := edgesOf(g); len(es) != 1 || es["log -correlates-> "+a.ID] == nil {
			t.Errorf("order %s,%s,%s: edges %v", order[0].ID, order[1].ID, order[2].ID, keys(es))
		}
	}
}
