package epg_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/epg/epgpb"
	"google.golang.org/protobuf/proto"
)

// richFragment has every value kind, a location, skews and per-node policies.
func richFragment() *epg.Fragment {
	return &epg.Fragment{
		Source: "trace.json", Format: "otlp-json", Policy: "p1",
		Nodes: []epg.Node{
			{
				ID: epg.SpanNodeID("t", "s"), Kind: epg.KindSpan, Name: "GET /x", Start: 1, End: 2,
				Trace: epg.TraceRef{TraceID: "t", SpanID: "s"}, Service: "api", Policy: "p1", Thread: "g1",
				Loc: &epg.Location{File: "x.go", Line: 12, Column: 3, Function: "main.x", Lang: "go", InApp: true},
				Attrs: epg.Attrs(epg.SortAttrs([]epg.Attr{
					{Key: "s", Value: epg.String("héllo\x00")},
					{Key: "i", Value: epg.Int(math.MinInt64)},
					{Key: "f", Value: epg.Float(math.NaN())},
					{Key: "inf", Value: epg.Float(math.Inf(-1))},
					{Key: "negzero", Value: epg.Float(math.Copysign(0, -1))},
					{Key: "b", Value: epg.Bool(true)},
					{Key: "by", Value: epg.Bytes([]byte{0, 0xff})},
					{Key: "emptybytes", Value: epg.Bytes(nil)},
					{Key: "emptystr", Value: epg.String("")},
					{Key: "empty", Value: epg.Value{}},
					{Key: "arr", Value: epg.Array(epg.Int(1), epg.Array(), epg.Map(epg.Attr{Key: "k", Value: epg.Bool(false)}))},
					{Key: "map", Value: epg.Map(epg.Attr{Key: "z", Value: epg.Array(epg.Float(0.5))}, epg.Attr{Key: "a", Value: epg.Map()})},
				})),
			},
			{ID: "evt", Kind: epg.KindEvent, Policy: "p0-older"},
		},
		Edges: []epg.Edge{
			{From: epg.SpanNodeID("t", "s"), To: "evt", Kind: epg.EdgeEmits, Inferred: true,
				Attrs: epg.Attrs{{Key: epg.AttrInferredJoinKey, Value: epg.String("time")}}},
			{From: "evt", To: "elsewhere", Kind: epg.EdgeCorrelates},
		},
		Skews: []epg.Skew{{Service: "api", Offset: -5, Error: 7, Method: "ntp"}},
	}
}

// fataler is the part of testing.TB that rapid.T also has.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

func jsonOf(t fataler, f *epg.Fragment) string {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	return string(b)
}

func sameFragment(t fataler, want, got *epg.Fragment) {
	t.Helper()
	if got.Source != want.Source || got.Format != want.Format || got.Policy != want.Policy {
		t.Fatalf("header = %q %q %q, want %q %q %q", got.Source, got.Format, got.Policy, want.Source, want.Format, want.Policy)
	}
	if w, g := jsonOf(t, want), jsonOf(t, got); w != g {
		t.Fatalf("round trip differs:\nwant %s\ngot  %s", w, g)
	}
}

func TestCodecRoundTrip(t *testing.T) {
	f := richFragment()
	b, err := epg.MarshalFragment(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := epg.UnmarshalFragment(b)
	if err != nil {
		t.Fatal(err)
	}
	sameFragment(t, f, got)
	for i := range f.Nodes {
		for j, a := range f.Nodes[i].Attrs {
			if !a.Value.Equal(got.Nodes[i].Attrs[j].Value) {
				t.Errorf("node %d attr %s: %s != %s", i, a.Key, a.Value.AsString(), got.Nodes[i].Attrs[j].Value.AsString())
			}
		}
	}
	b2, err := epg.MarshalFragment(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Error("encoding is not deterministic across a round trip")
	}
}

// The fragment's policy is the default for its nodes: a node without one
// inherits it on decode.
func TestCodecPolicyInheritance(t *testing.T) {
	f := &epg.Fragment{Policy: "p2", Nodes: []epg.Node{{ID: "a"}, {ID: "b", Policy: "p2"}, {ID: "c", Policy: "p1"}}}
	b, err := epg.MarshalFragment(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := epg.UnmarshalFragment(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"p2", "p2", "p1"} {
		if got.Nodes[i].Policy != want {
			t.Errorf("node %s policy = %q, want %q", got.Nodes[i].ID, got.Nodes[i].Policy, want)
		}
	}
}

func TestCodecSortsAttrsOnDecode(t *testing.T) {
	pb := &epgpb.Fragment{Version: epg.Version, Nodes: []*epgpb.Node{{Id: "n", Attrs: []*epgpb.Attr{
		{Key: "b", Value: &epgpb.Value{V: &epgpb.Value_Int{Int: 1}}},
		{Key: "a"}, // no value at all
		{Key: "b", Value: &epgpb.Value{V: &epgpb.Value_Int{Int: 2}}},
		{Key: "m", Value: &epgpb.Value{V: &epgpb.Value_Map{Map: &epgpb.MapValue{Attrs: []*epgpb.Attr{
			{Key: "y", Value: &epgpb.Value{V: &epgpb.Value_Str{Str: "y"}}},
			{Key: "x", Value: &epgpb.Value{V: &epgpb.Value_Str{Str: "x"}}},
		}}}}},
	}}}}
	b, err := proto.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	f, err := epg.UnmarshalFragment(b)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(f.Nodes[0].Attrs)
	if want := `{"a":null,"b":1,"m":{"x":"x","y":"y"}}`; string(got) != want {
		t.Errorf("attrs = %s, want %s", got, want)
	}
}

func TestCodecRefusesNewerVersion(t *testing.T) {
	for _, v := range []uint32{epg.Version + 1, math.MaxUint32} {
		b, err := proto.Marshal(&epgpb.Fragment{Version: v, Source: "future"})
		if err != nil {
			t.Fatal(err)
		}
		f, err := epg.UnmarshalFragment(b)
		if err == nil {
			t.Fatalf("version %d accepted: %+v", v, f)
		}
		if !strings.Contains(err.Error(), "newer") {
			t.Errorf("error %q does not say the version is newer", err)
		}
	}
	for _, v := range []uint32{0, epg.Version} {
		b, _ := proto.Marshal(&epgpb.Fragment{Version: v, Source: "ok"})
		if f, err := epg.UnmarshalFragment(b); err != nil || f.Source != "ok" {
			t.Errorf("version %d: %v", v, err)
		}
	}
	b, _ := epg.MarshalFragment(&epg.Fragment{})
	var pb epgpb.Fragment
	if err := proto.Unmarshal(b, &pb); err != nil || pb.Version != epg.Version {
		t.Errorf("MarshalFragment writes version %d, want %d (%v)", pb.Version, epg.Version, err)
	}
}

func TestCodecRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{{0xff}, {0x0a, 0x05, 'a'}, []byte("\x2a\x02\x0a\xff")} {
		if _, err := epg.UnmarshalFragment(b); err == nil {
			t.Errorf("%x decoded without error", b)
		}
	}
	if f, err := epg.UnmarshalFragment(nil); err != nil || len(f.Nodes) != 0 {
		t.Errorf("empty input: %v", err)
	}
}

func TestGraphJSON(t *testing.T) {
	b := epg.NewBuilder()
	b.Add(richFragment())
	g := b.Build()
	out, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Version int `json:"version"`
		Nodes   []struct {
			ID       string          `json:"id"`
			Kind     string          `json:"kind"`
			Location *epg.Location   `json:"location"`
			Attrs    json.RawMessage `json:"attrs"`
		} `json:"nodes"`
		Edges []struct {
			From, To, Kind string
			Inferred       bool
		} `json:"edges"`
		Skews []epg.Skew `json:"skews"`
	}
	if err := json.Unmarshal(out, &view); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if view.Version != epg.Version || len(view.Nodes) != 2 || len(view.Edges) != 1 || len(view.Skews) != 1 {
		t.Fatalf("view = %s", out)
	}
	if view.Nodes[0].Kind != "span" || view.Nodes[0].Location.Line != 12 || view.Nodes[1].Location != nil {
		t.Errorf("nodes = %s", out)
	}
	if e := view.Edges[0]; e.Kind != "emits" || !e.Inferred {
		t.Errorf("edge = %+v", e)
	}
	for _, want := range []string{`"f":"NaN"`, `"inf":"-Inf"`, `"by":"AP8="`, `"empty":null`, `"arr":[1,[],{"k":false}]`} {
		if !strings.Contains(string(view.Nodes[0].Attrs), want) {
			t.Errorf("attrs %s lack %s", view.Nodes[0].Attrs, want)
		}
	}
	if !json.Valid(out) {
		t.Error("invalid JSON")
	}
}
