package epg

import (
	"bytes"
	"strings"
	"testing"
)

// Lengths around the reserved two-byte prefix: 1-byte, 2-byte and 3-byte
// varint lengths all take the shifting paths of appendMsg.
func TestWireMatchesGeneratedAtLengthBoundaries(t *testing.T) {
	for _, n := range []int{0, 1, 100, 127, 128, 16000, 16383, 16384, 70000, 3 << 20} {
		f := &Fragment{Source: "s", Policy: "p", Nodes: []Node{{ID: "n", Kind: KindEvent,
			Attrs: Attrs{{Key: "k", Value: String(strings.Repeat("x", n))}, {Key: "m", Value: Map(Attr{Key: "a", Value: Array(Int(-1), Float(2.5), Bool(true))})}},
			Loc:   &Location{File: "f.go", Line: -3, InApp: true}}},
			Edges: []Edge{{From: "n", To: "n", Kind: EdgeRef, Inferred: true, Attrs: Attrs{{Key: "z", Value: Bytes([]byte(strings.Repeat("y", n)))}}}}}
		got, _ := MarshalFragment(f)
		want, err := MarshalGenerated(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("n=%d: encodings differ", n)
		}
	}
}
