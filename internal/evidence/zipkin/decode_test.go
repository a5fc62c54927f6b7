package zipkin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func TestGolden(t *testing.T) {
	evidencetest.GoldenDir(t, &Decoder{}, "testdata", "testdata")
}

func TestConformance(t *testing.T) {
	evidencetest.GoldenDir(t, &Decoder{}, evidencetest.ConformanceDir(t, "zipkin"), filepath.Join("testdata", "conformance"))
}

var (
	build   = evidencetest.Build
	node    = evidencetest.Node
	hasEdge = evidencetest.HasEdge
)

func countSpans(f *epg.Fragment) int {
	n := 0
	for i := range f.Nodes {
		if f.Nodes[i].Kind == epg.KindSpan {
			n++
		}
	}
	return n
}

// TestSkewHandComputed checks the estimate against numbers worked out by
// hand (microseconds; see testdata/skew_hand.json):
//
//	frontend client 2: [T+100, T+900]; backend server 2: [T-4900, T-4300].
//	It does not fit: latency = (800-600)/2 = 100, skew = T+100+100-(T-4900) = 5100.
//	backend client 4 corrected: [T-4840+5100, +50] = [T+260, T+310];
//	db server 4: [T+300, T+340] does not fit: latency = (50-40)/2 = 5,
//	skew = T+260+5-(T+300) = -35.
//	cache server 5 [T+220, T+270] fits inside client 5 [T+200, T+300]: none.
func TestSkewHandComputed(t *testing.T) {
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join("testdata", "skew_hand.json"))
	want := []epg.Skew{
		{Service: "backend", Offset: 5_100_000, Error: 100_000, Method: SkewMethod},
		{Service: "db", Offset: -35_000, Error: 5_000, Method: SkewMethod},
	}
	if len(f.Skews) != len(want) {
		t.Fatalf("skews %+v, want %+v", f.Skews, want)
	}
	for i := range want {
		if f.Skews[i] != want[i] {
			t.Errorf("skew %d = %+v, want %+v", i, f.Skews[i], want[i])
		}
	}
	g := build(f)
	const trace = "0000000000000000000000000000abcd"
	const T = int64(1_000_000_000_000_000) * 1000
	work := node(t, g, epg.SpanNodeID(trace, "0000000000000003"))
	if work.Start != T-4_850_000 {
		t.Errorf("work start %d: node times must stay raw", work.Start)
	}
	if v, _ := work.Attr(AttrSkewCorrectedStart); v.IntVal() != T+250_000 {
		t.Errorf("work corrected start %d, want %d", v.IntVal(), T+250_000)
	}
	ann := node(t, g, ServerHalfID(trace, "0000000000000002")+"/annotation/0")
	if v, _ := ann.Attr(AttrSkewCorrectedStart); v.IntVal() != T-4_850_000+5_100_000 {
		t.Errorf("annotation corrected time %d", v.IntVal())
	}
	for _, id := range []string{epg.SpanNodeID(trace, "0000000000000002"), ServerHalfID(trace, "0000000000000005")} {
		if _, ok := node(t, g, id).Attr(AttrSkewCorrectedStart); ok {
			t.Errorf("%s was corrected but its clock is the reference or fits", id)
		}
	}
	if got, ok := g.SkewOf("backend"); !ok || got.Offset != 5_100_000 {
		t.Errorf("graph skew for backend = %+v", got)
	}
}

func TestRPCSkew(t *testing.T) {
	cases := []struct {
		cs, cd, ss, sd int64
		off, err       int64
		skewed         bool
	}{
		{100, 800, -4900, 600, 5100, 100, true},
		{100, 800, 200, 600, 0, 0, false},     // fits
		{100, 800, 800, 200, -400, 300, true}, // ends after the client: server clock ahead
		{100, 100, 0, 200, 0, 0, false},       // longer than the client: cannot place it
	}
	for _, tc := range cases {
		off, e, ok := rpcSkew(tc.cs, tc.cd, tc.ss, tc.sd)
		if off != tc.off || e != tc.err || ok != tc.skewed {
			t.Errorf("rpcSkew(%d,%d,%d,%d) = %d,%d,%v want %d,%d,%v", tc.cs, tc.cd, tc.ss, tc.sd, off, e, ok, tc.off, tc.err, tc.skewed)
		}
	}
}

// TestConformanceSkew: in Zipkin's skew.json the server half of RPC
// 74280ae0c10d8062 (serviceb) starts 65.4 ms before its client half
// (servicea). Client [74202, +94539], server [8761, +93577] (µs past
// 1470150004000000): latency = (94539-93577)/2 = 481, skew =
// 74202+481-8761 = 65922 µs.
func TestConformanceSkew(t *testing.T) {
	dir := evidencetest.ConformanceDir(t, "zipkin")
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join(dir, "skew.json"))
	want := epg.Skew{Service: "serviceb", Offset: 65_922_000, Error: 481_000, Method: SkewMethod}
	if len(f.Skews) != 1 || f.Skews[0] != want {
		t.Fatalf("skews %+v, want [%+v]", f.Skews, want)
	}
	if countSpans(f) != 4 {
		t.Errorf("%d spans, want 4: the shared halves must not collapse", countSpans(f))
	}
	g := build(f)
	const trace = "00000000000000001e223ff1f80f1c69"
	client, server := epg.SpanNodeID(trace, "74280ae0c10d8062"), ServerHalfID(trace, "74280ae0c10d8062")
	if !hasEdge(g, client, server, epg.EdgeCall) {
		t.Error("no call edge client half → server half")
	}
	async := epg.SpanNodeID(trace, "43210ae0c10d1234")
	if !hasEdge(g, server, async, epg.EdgeCall) {
		t.Error("serviceb's async span should hang under the server half")
	}
	if v, _ := node(t, g, async).Attr(AttrSkewCorrectedStart); v.IntVal() != (1470150004008762+65922)*1000 {
		t.Errorf("async corrected start %d", v.IntVal())
	}
	if node(t, g, server).Service != "serviceb" || node(t, g, client).Service != "servicea" {
		t.Error("halves have the wrong services")
	}
}

func TestSharedAndErrors(t *testing.T) {
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join("testdata", "shared_error.json"))
	if countSpans(f) != 6 {
		t.Errorf("%d spans, want 6", countSpans(f))
	}
	g := build(f)
	const trace = "5b8efff798038103d269b633813fc60c"
	const trace64 = "00000000000000005b8efff798038103" // a 64-bit ID, left-padded
	root := node(t, g, epg.SpanNodeID(trace, "eee19b7ec3c1b174"))
	if root.Attrs.Str(epg.AttrStatusCode) != "error" || root.Attrs.Str(epg.AttrStatusMessage) != "upstream returned 500" {
		t.Errorf("root status %q %q", root.Attrs.Str(epg.AttrStatusCode), root.Attrs.Str(epg.AttrStatusMessage))
	}
	client, server := epg.SpanNodeID(trace, "2a1f3c4d5e6f7081"), ServerHalfID(trace, "2a1f3c4d5e6f7081")
	if !hasEdge(g, root.ID, client, epg.EdgeCall) || !hasEdge(g, client, server, epg.EdgeCall) {
		t.Error("root → client half → server half chain missing")
	}
	srv := node(t, g, server)
	if srv.Attrs.Str(epg.AttrStatusCode) != "error" || srv.Name != "get /api/orders" {
		t.Errorf("server half: %q status %q", srv.Name, srv.Attrs.Str(epg.AttrStatusCode))
	}
	// Children pick the half in their own service.
	if !hasEdge(g, server, epg.SpanNodeID(trace, "3b2f3c4d5e6f7082"), epg.EdgeCall) {
		t.Error("orders' query should hang under the server half")
	}
	if !hasEdge(g, client, epg.SpanNodeID(trace, "4c2f3c4d5e6f7083"), epg.EdgeCall) {
		t.Error("frontend's serialize should hang under the client half")
	}
	exc := node(t, g, server+"/annotation/0")
	if exc.EventType() != epg.EventException || exc.Attrs.Str(epg.AttrExceptionType) != "java.sql.SQLTransientConnectionException" ||
		!hasEdge(g, server, exc.ID, epg.EdgeEmits) || hasEdge(g, client, exc.ID, epg.EdgeEmits) {
		t.Errorf("exception annotation: %+v", exc.Attrs)
	}
	retry := node(t, g, server+"/annotation/1")
	if v, _ := retry.Attr("attempt"); retry.Name != "retry" || !v.Equal(epg.Int(2)) {
		t.Errorf("OTel event annotation: %q %+v", retry.Name, retry.Attrs)
	}
	if !hasEdge(g, client, epg.ResourceNodeID("orders"), epg.EdgeIO) ||
		!hasEdge(g, epg.SpanNodeID(trace, "3b2f3c4d5e6f7082"), epg.ResourceNodeID("10.0.0.9:5432"), epg.EdgeIO) ||
		!hasEdge(g, epg.SpanNodeID(trace64, "5d2f3c4d5e6f7084"), epg.ResourceNodeID("kafka"), epg.EdgeIO) {
		t.Error("io edges to remote endpoints missing")
	}
	send := node(t, g, epg.SpanNodeID(trace64, "5d2f3c4d5e6f7084"))
	if send.Attrs.Str(epg.AttrParentSpanID) != "00000000000000aa" || send.Start != 0 || send.End != 0 {
		t.Errorf("send: parent %q times %d-%d", send.Attrs.Str(epg.AttrParentSpanID), send.Start, send.End)
	}
	if g.Unresolved() != 1 {
		t.Errorf("unresolved = %d, want 1 (send's missing parent)", g.Unresolved())
	}
	if v, _ := node(t, g, epg.SpanNodeID(trace, "3b2f3c4d5e6f7082")).Attr("retries"); v.Str() != "2" {
		t.Errorf("numeric tag kept as %q", v.AsString())
	}
}

func TestTruncation(t *testing.T) {
	long := strings.Repeat("é", evidence.MaxValueLen) // two bytes a rune
	doc := `[{"traceId":"1","id":"2","name":"op","tags":{"sql":"` + long + `"}}]`
	f, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "long", Data: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	n := f.Nodes[0]
	if got := len(n.Attrs.Str("sql")); got != evidence.MaxValueLen {
		t.Errorf("value length %d, want %d", got, evidence.MaxValueLen)
	}
	if v, _ := n.Attr("sql" + evidence.TruncatedSuffix); v.IntVal() != int64(len(long)) {
		t.Errorf("truncation marker = %v", v.AsString())
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, in string
		// The error points at the first occurrence of at, or just past it
		// when at ends in "@" (encoding/json reports the end of a value
		// of the wrong type); at "" means the end of the input.
		at   string
		want string
	}{
		{"truncated", `[{"traceId":"1","id":"2"`, "", "JSON"},
		{"not an array", ` {"traceId":"1"}`, "{", "expected a JSON array"},
		{"wrong type", `[{"traceId":"1","id":"2","duration":"long"}]`, `"long"@`, "expected int64"},
		{"mixed shapes", `[[{"traceId":"1","id":"2"}],{"traceId":"1"}]`, `],{@`, "expected []zipkin.span"},
		{"bad hex", `[{"traceId":"1","id":"2"},{"traceId":"1","id":"2g"}]`, `"2g"`, `invalid id "2g"`},
		{"bad parent", `[{"traceId":"1","id":"2","parentId":"-1"}]`, `"-1"`, `invalid parentId`},
		{"empty trace", `[{"traceId":"","id":"2"}]`, `""`, "invalid traceId"},
		{"zero id", `[{"traceId":"1","id":"0000000000000000"}]`, `"0000000000000000"`, "invalid id"},
		{"negative duration", `[{"traceId":"1","id":"2","duration":-3}]`, "-3", "invalid duration"},
		{"object tag", `[{"traceId":"1","id":"2","tags":{"k":{}}}]`, `"k"`, "expected a string"},
		{"deep nesting", strings.Repeat("[", 300), "", "nested deeper"},
		{"cycle", `[{"traceId":"1","id":"a","parentId":"c"},{"traceId":"1","id":"b","parentId":"a"},{"traceId":"1","id":"c","parentId":"b"}]`,
			`"a"`, "span a: its parentId chain forms a cycle"},
		{"self parent", `[{"traceId":"1","id":"b","parentId":"b"}]`, `"b"`, "cycle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.in)
			_, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "bad.json", Data: data})
			var ee *evidence.Error
			if !errors.As(err, &ee) {
				t.Fatalf("error %v (%T) is not an *evidence.Error", err, err)
			}
			if !errors.Is(err, evidence.ErrBadInput) || !strings.Contains(ee.Msg, tc.want) {
				t.Errorf("message %q, want it to contain %q", ee.Msg, tc.want)
			}
			want := int64(len(data))
			if at, past := strings.CutSuffix(tc.at, "@"); past {
				want = int64(bytes.Index(data, []byte(at)) + len(at))
			} else if tc.at != "" {
				want = int64(bytes.Index(data, []byte(at)))
			}
			if tc.name == "deep nesting" {
				want = 256
			}
			if ee.Offset != want {
				t.Errorf("offset %d, want %d (%v)", ee.Offset, want, err)
			}
			if ee.Line != 1 || ee.Column != int(want)+1 {
				t.Errorf("line:col %d:%d, want 1:%d", ee.Line, ee.Column, want+1)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	d := &Decoder{}
	cases := []struct {
		in   string
		want evidence.Confidence
	}{
		{`[{"traceId":"1","id":"2","kind":"SERVER"}]`, evidence.Certain},
		{`[[{"traceId":"1","id":"2","name":"x"}]]`, evidence.Likely},
		{`{"traceID":"1","spans":[]}`, evidence.No},          // Jaeger
		{`[{"traceID":"1","spanID":"2"}]`, evidence.No},      // Jaeger spelling
		{`{"resourceSpans":[{"traceId":"1"}]}`, evidence.No}, // OTLP
	}
	for _, tc := range cases {
		if got := d.Sniff(&evidence.Input{Data: []byte(tc.in)}); got != tc.want {
			t.Errorf("Sniff(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
	dir := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance")
	for sub, want := range map[string]evidence.Confidence{"zipkin/skew.json": evidence.Certain, "zipkin/envoy.json": evidence.Certain,
		"jaeger/ui_01.json": evidence.No} {
		if data, err := os.ReadFile(filepath.Join(dir, sub)); err == nil {
			if got := d.Sniff(&evidence.Input{Data: data}); got != want {
				t.Errorf("Sniff(%s) = %d, want %d", sub, got, want)
			}
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	data := benchInput(b)
	in := &evidence.Input{Name: "bench", Data: data}
	b.Run("zipkin", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Decoder{}).Decode(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The floor: encoding/json alone into generic values.
	b.Run("json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchInput is the large production-shaped conformance trace when the
// corpus is present, else the committed inputs.
func benchInput(b *testing.B) []byte {
	p := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", "zipkin", "smartthings-mobile-web-install.json")
	if data, err := os.ReadFile(p); err == nil {
		return data
	}
	data, err := os.ReadFile(filepath.Join("testdata", "shared_error.json"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}
