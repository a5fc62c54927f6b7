package causality

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// The Jaeger fixture holds a payments span whose parent was sampled out.
// Two spans enclose it: the frontend's root and the payments service's
// own charge span; a span of the orphan's own service is the better
// guess, and the tighter one.
func TestJaegerOrphanLinksToItsServiceSpan(t *testing.T) {
	g := load(t, "internal/evidence/jaeger/testdata/exceptions.json")
	const (
		trace  = "4bf92f3577b34da6a3ce929d0e0e4736"
		orphan = "span:" + trace + ":3333333333333333"
		charge = "span:" + trace + ":1111111111111111"
	)
	l := LinkOrphans(g, Options{})
	if len(l.Links) != 1 || len(l.Unlinked) != 0 {
		t.Fatalf("links %+v, unlinked %v", l.Links, l.Unlinked)
	}
	k := l.Links[0]
	if k.Orphan != orphan || k.Parent != charge || k.Reason != ReasonService || k.MissingParent != "9999999999999999" {
		t.Errorf("link %+v", k)
	}
	checkEdge(t, k)
	if es := l.Edges(); len(es) != 1 || es[0].To != orphan {
		t.Errorf("edges %+v", es)
	}
	aug := Augment(g, l)
	i, _ := aug.Lookup(orphan)
	if ps := aug.Parents(i, epg.EdgeCall); len(ps) != 1 || aug.Node(ps[0]).ID != charge {
		t.Errorf("augmented graph: orphan's callers %v", ps)
	}
	if aug.NumNodes() != g.NumNodes() || aug.NumEdges() != g.NumEdges()+1 || !slices.Equal(aug.Skews(), g.Skews()) {
		t.Errorf("augmented graph: %d nodes %d edges, was %d %d", aug.NumNodes(), aug.NumEdges(), g.NumNodes(), g.NumEdges())
	}
	if again := LinkOrphans(aug, Options{}); len(again.Links) != 0 {
		t.Errorf("a linked orphan is an orphan no more: %+v", again.Links)
	}
}

func checkEdge(t *testing.T, k Link) {
	t.Helper()
	e := k.Edge
	if e.From != k.Parent || e.To != k.Orphan || e.Kind != epg.EdgeCall || !e.Inferred ||
		e.Attrs.Str(epg.AttrHowInferred) != HowMissingParent || e.Attrs.Str(AttrMissingParent) != k.MissingParent ||
		e.Attrs.Str(AttrLinkReason) != k.Reason {
		t.Errorf("edge %+v for link %+v", e, k)
	}
}

// Drop the backend's "work" span from the skew trace: its child, the
// database client call, becomes an orphan and links to the backend's
// server span, the span of its own service around it.
func TestDroppedSpanRelinksToGrandparent(t *testing.T) {
	g := without(fragment(t, skewHand), work)
	l := LinkOrphans(g, Options{})
	if len(l.Links) != 1 || l.Links[0].Orphan != callDB || l.Links[0].Parent != serve || l.Links[0].Reason != ReasonService {
		t.Fatalf("links %+v unlinked %v", l.Links, l.Unlinked)
	}
	checkEdge(t, l.Links[0])
}

// Drop the backend's server span and its work span: nothing of the
// backend encloses the orphaned database call any more, and only on the
// corrected clock does the frontend's call to the backend enclose it. On
// the raw clocks the backend's spans lie 5 ms before the whole trace.
func TestOrphanLinkingNeedsTheCorrectedClock(t *testing.T) {
	g := without(fragment(t, skewHand), work, serve, cacheMiss)
	l := LinkOrphans(g, Options{})
	if len(l.Links) != 1 || l.Links[0].Parent != callBackend || l.Links[0].Reason != ReasonWindow {
		t.Fatalf("corrected: links %+v unlinked %v", l.Links, l.Unlinked)
	}
	raw := LinkOrphans(g, Options{NoSkew: true})
	if len(raw.Links) != 0 || !slices.Equal(raw.Unlinked, []string{callDB}) {
		t.Errorf("raw: links %+v unlinked %v", raw.Links, raw.Unlinked)
	}
}

// The OpenTelemetry conformance trace holds only orphans, pairs of which
// cover the very same window: linking must not make them each other's
// parent.
func TestOrphansNeverFormACycle(t *testing.T) {
	g := load(t, sharedCorpus(t, "otlp", "jaeger_otel_traces_01.json"))
	l := LinkOrphans(g, Options{})
	if len(l.Links) == 0 || len(l.Links)+len(l.Unlinked) != 4 {
		t.Fatalf("links %+v unlinked %v", l.Links, l.Unlinked)
	}
	for _, k := range l.Links {
		checkEdge(t, k)
	}
	if c := Augment(g, l).FindCycle(epg.EdgeCall); c != nil {
		t.Errorf("inferred links close a cycle: %v", c)
	}
	a, _ := json.Marshal(l)
	b, _ := json.Marshal(LinkOrphans(g, Options{}))
	if string(a) != string(b) {
		t.Error("linkings marshal differently")
	}
}

// A server whose parent client span was dropped prefers the client in
// another service that names it as its peer over a tighter span of a
// third service.
func TestPeerBeatsWindow(t *testing.T) {
	b := epg.NewBuilder()
	span := func(id, svc, kind string, start, end int64, attrs ...epg.Attr) string {
		n := epg.Node{ID: epg.SpanNodeID("t", id), Kind: epg.KindSpan, Name: id, Service: svc, Start: start, End: end,
			Trace: epg.TraceRef{TraceID: "t", SpanID: id}, Attrs: epg.SortAttrs(append(attrs, epg.Attr{Key: epg.AttrSpanKind, Value: epg.String(kind)}))}
		b.AddNode(n)
		return n.ID
	}
	front := span("a", "front", "server", 1000, 2000)
	client := span("b", "front", "client", 1100, 1900, epg.Attr{Key: "peer.service", Value: epg.String("orders")})
	other := span("c", "audit", "internal", 1150, 1850)
	server := span("d", "orders", "server", 1200, 1800, epg.Attr{Key: epg.AttrParentSpanID, Value: epg.String("x")})
	b.AddEdge(epg.Edge{From: front, To: client, Kind: epg.EdgeCall})
	b.AddEdge(epg.Edge{From: front, To: other, Kind: epg.EdgeCall})
	l := LinkOrphans(b.Build(), Options{})
	if len(l.Links) != 1 || l.Links[0].Orphan != server || l.Links[0].Parent != client || l.Links[0].Reason != ReasonPeer {
		t.Errorf("links %+v", l.Links)
	}
}
