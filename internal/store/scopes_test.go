package store

import (
	"context"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/incident"
)

// A traceless dump of a service joins the stored request that was open
// when it was taken; the occurrence then carries both artifacts.
func TestTracelessEvidenceJoinsByServiceAndTime(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const t0 = int64(1_700_000_000_000_000_000)
	spans := &epg.Fragment{Nodes: []epg.Node{{ID: epg.SpanNodeID("aa", "01"), Kind: epg.KindSpan, Name: "GET /cart", Service: "checkout",
		Start: t0, End: t0 + 5e9, Trace: epg.TraceRef{TraceID: "aa", SpanID: "01"}}}}
	other := &epg.Fragment{Nodes: []epg.Node{{ID: epg.SpanNodeID("bb", "01"), Kind: epg.KindSpan, Name: "GET /cart", Service: "checkout",
		Start: t0 + 3600e9, End: t0 + 3601e9, Trace: epg.TraceRef{TraceID: "bb", SpanID: "01"}}}}
	none := func(*epg.Graph) []incident.Signal { return nil }
	if _, err := s.Ingest(ctx, []Artifact{{Name: "spans", Format: "x", SHA256: "1", Fragment: spans}, {Name: "later", Format: "x", SHA256: "2", Fragment: other}}, none); err != nil {
		t.Fatal(err)
	}
	dump := &epg.Fragment{Nodes: []epg.Node{
		{ID: "panic", Kind: epg.KindEvent, Name: "panic", Service: "checkout", Start: t0 + 2e9, End: t0 + 2e9,
			Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventPanic)}}},
		{ID: epg.ThreadNodeID("host/42", "1"), Kind: epg.KindThread, Name: "goroutine 1"},
	}}
	var joined bool
	detect := func(g *epg.Graph) []incident.Signal {
		i, _ := g.Lookup("panic")
		for _, p := range g.Parents(i, epg.EdgeEmits) {
			joined = joined || g.Node(p).ID == epg.SpanNodeID("aa", "01")
		}
		_, sawOther := g.Lookup(epg.SpanNodeID("bb", "01"))
		if sawOther {
			t.Error("a request an hour later was joined")
		}
		return []incident.Signal{{Kind: incident.KindPanic, Fingerprint: "f00d", Title: "panic", Node: "panic", Time: t0 + 2e9}}
	}
	if _, err := s.Ingest(ctx, []Artifact{{Name: "dump", Format: "go-dump", SHA256: "3", Fragment: dump}}, detect); err != nil {
		t.Fatal(err)
	}
	if !joined {
		t.Error("the panic was not joined to the open request span")
	}
	occs, err := s.Occurrences(ctx, incident.ID("f00d"))
	if err != nil || len(occs) != 1 {
		t.Fatalf("occurrences = %+v, %v", occs, err)
	}
	if got := occs[0].Artifacts; len(got) != 2 || got[0] != 3 || got[1] != 1 {
		t.Errorf("artifacts = %v, want the dump (3) and the open request (1)", got)
	}
	// Another dump of the same named process joins by process.
	dump2 := &epg.Fragment{Nodes: []epg.Node{{ID: epg.ThreadNodeID("host/42", "7"), Kind: epg.KindThread, Name: "goroutine 7"}}}
	if _, err := s.Ingest(ctx, []Artifact{{Name: "dump2", Format: "go-dump", SHA256: "4", Fragment: dump2}}, none); err != nil {
		t.Fatal(err)
	}
	occs, _ = s.Occurrences(ctx, incident.ID("f00d"))
	if got := occs[0].Artifacts; len(got) != 3 || got[1] != 4 {
		t.Errorf("artifacts = %v, want the second dump of host/42 too", got)
	}
}
