package epg_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/tagdebug/tag/epg"
)

func TestValueAccessors(t *testing.T) {
	tests := []struct {
		name  string
		v     epg.Value
		kind  epg.ValueKind
		str   string
		i     int64
		f     float64
		b     bool
		bytes []byte
		text  string
	}{
		{name: "empty", v: epg.Value{}, kind: epg.ValueEmpty},
		{name: "string", v: epg.String("héllo"), kind: epg.ValueString, str: "héllo", text: "héllo"},
		{name: "int", v: epg.Int(-42), kind: epg.ValueInt, i: -42, f: -42, text: "-42"},
		{name: "int min", v: epg.Int(math.MinInt64), kind: epg.ValueInt, i: math.MinInt64, f: math.MinInt64, text: "-9223372036854775808"},
		{name: "float", v: epg.Float(1.5), kind: epg.ValueFloat, f: 1.5, text: "1.5"},
		{name: "bool true", v: epg.Bool(true), kind: epg.ValueBool, b: true, text: "true"},
		{name: "bool false", v: epg.Bool(false), kind: epg.ValueBool, text: "false"},
		{name: "bytes", v: epg.Bytes([]byte{0, 1, 0xff}), kind: epg.ValueBytes, bytes: []byte{0, 1, 0xff}, text: "AAH/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.v
			if v.Kind() != tt.kind {
				t.Errorf("Kind = %v, want %v", v.Kind(), tt.kind)
			}
			if v.IsEmpty() != (tt.kind == epg.ValueEmpty) {
				t.Errorf("IsEmpty = %v", v.IsEmpty())
			}
			if v.Str() != tt.str {
				t.Errorf("Str = %q, want %q", v.Str(), tt.str)
			}
			if v.IntVal() != tt.i {
				t.Errorf("IntVal = %d, want %d", v.IntVal(), tt.i)
			}
			if v.FloatVal() != tt.f {
				t.Errorf("FloatVal = %g, want %g", v.FloatVal(), tt.f)
			}
			if v.BoolVal() != tt.b {
				t.Errorf("BoolVal = %v, want %v", v.BoolVal(), tt.b)
			}
			if string(v.BytesVal()) != string(tt.bytes) || (v.BytesVal() == nil) != (tt.kind != epg.ValueBytes) {
				t.Errorf("BytesVal = %v, want %v", v.BytesVal(), tt.bytes)
			}
			if v.AsString() != tt.text {
				t.Errorf("AsString = %q, want %q", v.AsString(), tt.text)
			}
			if v.ArrayVal() != nil || v.MapVal() != nil {
				t.Errorf("scalar has array or map content")
			}
		})
	}
}

func TestBytesCopiesInput(t *testing.T) {
	in := []byte("abc")
	v := epg.Bytes(in)
	in[0] = 'X'
	if got := string(v.BytesVal()); got != "abc" {
		t.Fatalf("Bytes aliases its input: %q", got)
	}
	out := v.BytesVal()
	out[0] = 'Y'
	if got := string(v.BytesVal()); got != "abc" {
		t.Fatalf("BytesVal aliases the value: %q", got)
	}
}

func TestFloatSpecials(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		json string
	}{
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
		{0, `0`},
		{math.Copysign(0, -1), `-0`},
		{1e300, `1e+300`},
		{math.SmallestNonzeroFloat64, `5e-324`},
	} {
		v := epg.Float(tt.f)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%g: %v", tt.f, err)
		}
		if string(b) != tt.json {
			t.Errorf("json(%g) = %s, want %s", tt.f, b, tt.json)
		}
		if !v.Equal(epg.Float(tt.f)) {
			t.Errorf("Float(%g) is not Equal to itself", tt.f)
		}
		if got := v.FloatVal(); math.Float64bits(got) != math.Float64bits(tt.f) {
			t.Errorf("FloatVal(%g) = %g: bits differ", tt.f, got)
		}
	}
	if epg.Float(0).Equal(epg.Float(math.Copysign(0, -1))) {
		t.Error("0 and -0 compare Equal; Equal is documented as content equality")
	}
}

func TestValueCompound(t *testing.T) {
	arr := epg.Array(epg.Int(1), epg.String("x"), epg.Array(epg.Bool(true)), epg.Map(epg.Attr{Key: "k", Value: epg.Float(2)}))
	if arr.Kind() != epg.ValueArray || len(arr.ArrayVal()) != 4 {
		t.Fatalf("array: kind %v len %d", arr.Kind(), len(arr.ArrayVal()))
	}
	if got, want := arr.AsString(), `[1,"x",[true],{"k":2}]`; got != want {
		t.Errorf("array AsString = %s, want %s", got, want)
	}
	m := epg.Map(
		epg.Attr{Key: "z", Value: epg.Int(1)},
		epg.Attr{Key: "a", Value: epg.Bytes([]byte("hi"))},
		epg.Attr{Key: "z", Value: epg.Int(2)},
		epg.Attr{Key: "m", Value: epg.Map(epg.Attr{Key: "n", Value: epg.Array()})},
	)
	kv := m.MapVal()
	if len(kv) != 3 || kv[0].Key != "a" || kv[1].Key != "m" || kv[2].Key != "z" {
		t.Fatalf("map not sorted and deduplicated: %+v", kv)
	}
	if kv[2].Value.IntVal() != 1 {
		t.Errorf("map kept the later duplicate: %v", kv[2].Value.IntVal())
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"aGk=","m":{"n":[]},"z":1}`; string(b) != want {
		t.Errorf("map json = %s, want %s", b, want)
	}
	if got := epg.Array().AsString(); got != "[]" {
		t.Errorf("empty array = %s, want []", got)
	}
	if got := epg.Map().AsString(); got != "{}" {
		t.Errorf("empty map = %s, want {}", got)
	}
	if got, _ := json.Marshal(epg.Value{}); string(got) != "null" {
		t.Errorf("empty value json = %s, want null", got)
	}
}

func TestValueJSONScalars(t *testing.T) {
	for _, tt := range []struct {
		v    epg.Value
		want string
	}{
		{epg.String(`a"b<`), `"a\"b\u003c"`},
		{epg.Int(-7), `-7`},
		{epg.Int(math.MaxInt64), `9223372036854775807`},
		{epg.Bool(true), `true`},
		{epg.Bool(false), `false`},
		{epg.Bytes(nil), `""`},
		{epg.Bytes([]byte{0xfb, 0xff}), `"+/8="`},
		{epg.Float(0.1), `0.1`},
	} {
		b, err := json.Marshal(tt.v)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tt.want {
			t.Errorf("json(%v) = %s, want %s", tt.v.AsString(), b, tt.want)
		}
		if !json.Valid(b) {
			t.Errorf("invalid json %s", b)
		}
	}
}

func TestValueEqual(t *testing.T) {
	vals := []epg.Value{
		{},
		epg.String(""),
		epg.String("1"),
		epg.Int(0),
		epg.Int(1),
		epg.Float(0),
		epg.Float(1),
		epg.Bool(false),
		epg.Bool(true),
		epg.Bytes(nil),
		epg.Bytes([]byte("1")),
		epg.Array(),
		epg.Array(epg.Int(1)),
		epg.Array(epg.Int(1), epg.Int(2)),
		epg.Array(epg.Array(epg.Int(1))),
		epg.Map(),
		epg.Map(epg.Attr{Key: "a", Value: epg.Int(1)}),
		epg.Map(epg.Attr{Key: "a", Value: epg.Int(2)}),
		epg.Map(epg.Attr{Key: "b", Value: epg.Int(1)}),
		epg.Map(epg.Attr{Key: "a", Value: epg.Map(epg.Attr{Key: "b", Value: epg.Int(1)})}),
	}
	for i, a := range vals {
		for j, b := range vals {
			if got := a.Equal(b); got != (i == j) {
				t.Errorf("Equal(%d:%s, %d:%s) = %v", i, a.AsString(), j, b.AsString(), got)
			}
		}
	}
	// Structural, not identity: separately built values compare equal.
	x := epg.Map(epg.Attr{Key: "b", Value: epg.Array(epg.String("s"))}, epg.Attr{Key: "a", Value: epg.Float(math.NaN())})
	y := epg.Map(epg.Attr{Key: "a", Value: epg.Float(math.NaN())}, epg.Attr{Key: "b", Value: epg.Array(epg.String("s"))})
	if !x.Equal(y) {
		t.Error("equal maps built in different key order are not Equal")
	}
	if !epg.Array().Equal(epg.Array([]epg.Value{}...)) {
		t.Error("nil and empty arrays differ")
	}
}

func TestSortAttrs(t *testing.T) {
	in := []epg.Attr{
		{Key: "c", Value: epg.Int(1)},
		{Key: "a", Value: epg.Int(2)},
		{Key: "c", Value: epg.Int(3)},
		{Key: "b", Value: epg.Int(4)},
		{Key: "a", Value: epg.Int(5)},
		{Key: "a", Value: epg.Int(6)},
	}
	out := epg.SortAttrs(in)
	want := []struct {
		k string
		v int64
	}{{"a", 2}, {"b", 4}, {"c", 1}}
	if len(out) != len(want) {
		t.Fatalf("len = %d, want %d: %+v", len(out), len(want), out)
	}
	for i, w := range want {
		if out[i].Key != w.k || out[i].Value.IntVal() != w.v {
			t.Errorf("out[%d] = %s=%d, want %s=%d", i, out[i].Key, out[i].Value.IntVal(), w.k, w.v)
		}
	}
	if got := epg.SortAttrs(nil); got != nil {
		t.Errorf("SortAttrs(nil) = %v", got)
	}
	one := []epg.Attr{{Key: "x"}}
	if got := epg.SortAttrs(one); len(got) != 1 || got[0].Key != "x" {
		t.Errorf("SortAttrs(one) = %v", got)
	}
}

func TestAttrsGetSet(t *testing.T) {
	var as epg.Attrs
	for _, k := range []string{"m", "c", "x", "a", "p", "c"} {
		as = as.Set(k, epg.String(k+"1"))
	}
	as = as.Set("c", epg.Int(9))
	keys := ""
	for _, a := range as {
		keys += a.Key
	}
	if keys != "acmpx" {
		t.Fatalf("keys = %q, want sorted and unique acmpx", keys)
	}
	if v, ok := as.Get("c"); !ok || v.IntVal() != 9 {
		t.Errorf("Get(c) = %v %v, want 9 (Set overwrites)", v.AsString(), ok)
	}
	if v, ok := as.Get("p"); !ok || v.Str() != "p1" {
		t.Errorf("Get(p) = %v %v", v.AsString(), ok)
	}
	for _, k := range []string{"", "b", "z", "0"} {
		if _, ok := as.Get(k); ok {
			t.Errorf("Get(%q) found a missing key", k)
		}
	}
	if got := as.Str("x"); got != "x1" {
		t.Errorf("Str(x) = %q", got)
	}
	if got := as.Str("c"); got != "9" {
		t.Errorf("Str(c) = %q, want 9", got)
	}
	if got := as.Str("missing"); got != "" {
		t.Errorf("Str(missing) = %q", got)
	}
	b, err := json.Marshal(as)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":"a1","c":9,"m":"m1","p":"p1","x":"x1"}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	if b, _ := json.Marshal(epg.Attrs(nil)); string(b) != "null" && string(b) != "{}" {
		t.Errorf("nil attrs json = %s", b)
	}
}

func TestKindNames(t *testing.T) {
	for k := epg.KindSpan; k <= epg.KindInput; k++ {
		got, err := epg.ParseNodeKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseNodeKind(%q) = %v, %v", k.String(), got, err)
		}
		b, _ := json.Marshal(k)
		if string(b) != `"`+k.String()+`"` {
			t.Errorf("json(%v) = %s", k, b)
		}
	}
	for k := epg.EdgeCall; k <= epg.EdgeCorrelates; k++ {
		got, err := epg.ParseEdgeKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseEdgeKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	for _, s := range []string{"", "unspecified", "Span", "nope"} {
		if _, err := epg.ParseNodeKind(s); err == nil {
			t.Errorf("ParseNodeKind(%q) succeeded", s)
		}
		if _, err := epg.ParseEdgeKind(s); err == nil {
			t.Errorf("ParseEdgeKind(%q) succeeded", s)
		}
	}
	if got := epg.NodeKind(200).String(); got != "node_kind(200)" {
		t.Errorf("unknown node kind = %q", got)
	}
	if got := epg.EdgeKind(200).String(); got != "edge_kind(200)" {
		t.Errorf("unknown edge kind = %q", got)
	}
	if got := epg.EdgeCorrelates.String(); got != "correlates" {
		t.Errorf("EdgeCorrelates = %q", got)
	}
}

func TestNodeHelpers(t *testing.T) {
	n := epg.Node{Start: 10, End: 25, Attrs: epg.Attrs{{Key: epg.AttrEventType, Value: epg.String(epg.EventPanic)}}}
	if n.Duration() != 15 {
		t.Errorf("Duration = %d", n.Duration())
	}
	if n.EventType() != epg.EventPanic {
		t.Errorf("EventType = %q", n.EventType())
	}
	for _, m := range []epg.Node{{Start: 0, End: 5}, {Start: 5, End: 0}, {Start: 9, End: 5}} {
		if m.Duration() != 0 {
			t.Errorf("Duration(%d,%d) = %d, want 0", m.Start, m.End, m.Duration())
		}
	}
	var nilLoc *epg.Location
	if !nilLoc.IsZero() || !(&epg.Location{}).IsZero() || (&epg.Location{Line: 1}).IsZero() {
		t.Error("Location.IsZero wrong")
	}
	if got := epg.ResourceNodeID("DB:Postgres@Host"); got != "resource:db:postgres@host" {
		t.Errorf("ResourceNodeID = %q", got)
	}
	if epg.SpanNodeID("t", "s") == epg.ThreadNodeID("t", "s") || epg.ThreadNodeID("t", "s") == epg.LockNodeID("t", "s") {
		t.Error("node IDs of different kinds collide")
	}
	f := epg.Fragment{Nodes: []epg.Node{{Trace: epg.TraceRef{TraceID: "b"}}, {}, {Trace: epg.TraceRef{TraceID: "a"}}, {Trace: epg.TraceRef{TraceID: "b"}}}}
	if got := f.TraceIDs(); len(got) != 2 || got[0] != "b" || got[1] != "a" {
		t.Errorf("TraceIDs = %v", got)
	}
	f.StampPolicy("p7")
	for _, n := range f.Nodes {
		if n.Policy != "p7" {
			t.Errorf("StampPolicy missed a node")
		}
	}
	if f.Policy != "p7" {
		t.Errorf("fragment policy = %q", f.Policy)
	}
}
