package rca

import (
	"slices"
	"testing"

	"github.com/tagdebug/tag/epg"
)

// TestSliceJoinsCandidatesToTheFailure: a candidate frame of a captured
// goroutine is joined to the failing span through its thread and the
// event that captured it, so the slice is one connected picture; a node
// with no path within connectDepth stays apart and adds nothing.
func TestSliceJoinsCandidatesToTheFailure(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(&epg.Fragment{
		Nodes: []epg.Node{
			{ID: "span:1", Kind: epg.KindSpan, Name: "POST /checkout"},
			{ID: "capsule:1", Kind: epg.KindEvent, Name: "capsule"},
			{ID: "thread:7", Kind: epg.KindThread, Name: "goroutine 7"},
			{ID: "thread:7/frame/0", Kind: epg.KindFrame, Name: "shop.(*Inventory).Reserve"},
			{ID: "far:0", Kind: epg.KindFrame}, {ID: "far:1", Kind: epg.KindFrame}, {ID: "far:2", Kind: epg.KindFrame},
			{ID: "far:3", Kind: epg.KindFrame}, {ID: "far:4", Kind: epg.KindFrame}, {ID: "far:5", Kind: epg.KindFrame},
		},
		Edges: []epg.Edge{
			{From: "span:1", To: "capsule:1", Kind: epg.EdgeEmits},
			{From: "thread:7/frame/0", To: "thread:7", Kind: epg.EdgeOn},
			{From: "capsule:1", To: "thread:7", Kind: epg.EdgeEmits},
			// far:5 is five edges from the span.
			{From: "span:1", To: "far:0", Kind: epg.EdgeCall}, {From: "far:0", To: "far:1", Kind: epg.EdgeCall},
			{From: "far:1", To: "far:2", Kind: epg.EdgeCall}, {From: "far:2", To: "far:3", Kind: epg.EdgeCall},
			{From: "far:3", To: "far:4", Kind: epg.EdgeCall}, {From: "far:4", To: "far:5", Kind: epg.EdgeCall},
		},
	})
	g := b.Build()
	start, _ := g.Lookup("span:1")
	s := slice(g, start, nil, []Candidate{{Node: "thread:7/frame/0"}, {Node: "far:5"}})
	want := []string{"span:1", "thread:7/frame/0", "far:5", "thread:7", "capsule:1"}
	if !slices.Equal(s.Nodes, want) {
		t.Fatalf("nodes %v, want %v", s.Nodes, want)
	}
	if len(s.Edges) != 3 {
		t.Fatalf("edges %+v, want the three that join the frame to the span", s.Edges)
	}
}
