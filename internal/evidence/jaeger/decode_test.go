package jaeger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	evidencetest.GoldenDir(t, &Decoder{}, evidencetest.ConformanceDir(t, "jaeger"), filepath.Join("testdata", "conformance"))
}

var (
	build   = evidencetest.Build
	node    = evidencetest.Node
	hasEdge = evidencetest.HasEdge
)

func TestConformanceUI01(t *testing.T) {
	dir := evidencetest.ConformanceDir(t, "jaeger")
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join(dir, "ui_01.json"))
	const trace = "00000000000000000000000000000001"
	spans := 0
	for _, n := range f.Nodes {
		if n.Kind == epg.KindSpan {
			spans++
			if n.Trace.TraceID != trace {
				t.Errorf("%s: trace %q, want it padded to 32 digits", n.ID, n.Trace.TraceID)
			}
		}
	}
	if spans != 5 {
		t.Errorf("%d span nodes, want 5 (two share span ID 2)", spans)
	}
	g := build(f)
	s2, s3, s4, s5 := epg.SpanNodeID(trace, "0000000000000002"), epg.SpanNodeID(trace, "0000000000000003"),
		epg.SpanNodeID(trace, "0000000000000004"), epg.SpanNodeID(trace, "0000000000000005")
	for _, e := range []struct {
		from, to string
		kind     epg.EdgeKind
	}{{s2, s3, epg.EdgeCall}, {s2, s4, epg.EdgeCall}, {s2, s4, epg.EdgeFollowsFrom}, {s4, s5, epg.EdgeCall}} {
		if !hasEdge(g, e.from, e.to, e.kind) {
			t.Errorf("missing %s edge %s → %s", e.kind, e.from, e.to)
		}
	}
	// The reference to span ff of trace ff names a span not in the file.
	if g.Unresolved() != 1 {
		t.Errorf("unresolved edges = %d, want 1", g.Unresolved())
	}
	n2 := node(t, g, s2)
	if n2.Service != "service-x" || n2.Start != 1485467191639875000 || n2.Duration() != 5000 {
		t.Errorf("span 2: service %q start %d duration %d", n2.Service, n2.Start, n2.Duration())
	}
	if got := n2.Attrs.Str(epg.AttrStatusCode); got != "error" {
		t.Errorf("span 2 status %q, want error (tag error=true)", got)
	}
	for key, want := range map[string]epg.Value{
		"peer.ipv4":        epg.Int(23456),
		"temperature":      epg.Float(72.5),
		"javascript_limit": epg.Int(9223372036854775222),
		"blob":             epg.Bytes([]byte{0, 0, 0x30, 0x39}),
		"peer.service":     epg.String("service-y"),
	} {
		if v, _ := n2.Attr(key); !v.Equal(want) {
			t.Errorf("span 2 %s = %v, want %v", key, v.AsString(), want.AsString())
		}
	}
	if got := node(t, g, s5).Attrs.Str(epg.AttrParentSpanID); got != "0000000000000004" {
		t.Errorf("span 5 parent_span_id %q", got)
	}
	if got := node(t, g, s4).Attrs.Str(epg.AttrParentSpanID); got != "0000000000000002" {
		t.Errorf("span 4 parent_span_id %q, want the CHILD_OF in its own trace", got)
	}
}

func TestExceptions(t *testing.T) {
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join("testdata", "exceptions.json"))
	g := build(f)
	const trace = "4bf92f3577b34da6a3ce929d0e0e4736"
	root := node(t, g, epg.SpanNodeID(trace, "00f067aa0ba902b7"))
	if root.Attrs.Str(epg.AttrStatusCode) != "error" || root.Attrs.Str(epg.AttrStatusMessage) != "payment failed" {
		t.Errorf("root status %q %q", root.Attrs.Str(epg.AttrStatusCode), root.Attrs.Str(epg.AttrStatusMessage))
	}
	if root.Attrs.Str(epg.AttrSpanKind) != "server" || root.Attrs.Str("resource.hostname") != "web-1" {
		t.Errorf("root kind %q hostname %q", root.Attrs.Str(epg.AttrSpanKind), root.Attrs.Str("resource.hostname"))
	}
	charge := epg.SpanNodeID(trace, "1111111111111111")
	ot := node(t, g, charge+"/log/0")
	if ot.EventType() != epg.EventException || ot.Attrs.Str(epg.AttrExceptionType) != "java.lang.IllegalStateException" ||
		ot.Attrs.Str(epg.AttrExceptionMsg) != "card declined" || !strings.Contains(ot.Attrs.Str(epg.AttrExceptionStack), "Charger.java:42") {
		t.Errorf("OpenTracing error log: %+v", ot.Attrs)
	}
	if !hasEdge(g, charge, ot.ID, epg.EdgeEmits) {
		t.Error("charge span does not emit its exception")
	}
	ledger := epg.SpanNodeID(trace, "2222222222222222")
	otel := node(t, g, ledger+"/log/0")
	if otel.EventType() != epg.EventException || otel.Attrs.Str(epg.AttrExceptionType) != "*errors.errorString" {
		t.Errorf("OTel exception log: %+v", otel.Attrs)
	}
	if v, _ := otel.Attr("exception.escaped"); !v.BoolVal() {
		t.Error("exception.escaped lost")
	}
	if !hasEdge(g, charge, ledger, epg.EdgeCall) || !hasEdge(g, root.ID, ledger, epg.EdgeFollowsFrom) {
		t.Error("ledger span edges missing")
	}
	log := node(t, g, root.ID+"/log/0")
	if log.EventType() != epg.EventLog || log.Name != "request received" || !hasEdge(g, log.ID, root.ID, epg.EdgeCorrelates) {
		t.Errorf("plain log: %q %q", log.Name, log.EventType())
	}
	orphan := node(t, g, epg.SpanNodeID(trace, "3333333333333333"))
	if orphan.Attrs.Str(epg.AttrParentSpanID) != "9999999999999999" || len(g.In(mustLookup(g, orphan.ID))) != 0 {
		t.Errorf("orphan: parent %q, %d in-edges", orphan.Attrs.Str(epg.AttrParentSpanID), len(g.In(mustLookup(g, orphan.ID))))
	}
	if g.Unresolved() != 1 {
		t.Errorf("unresolved = %d, want 1 (the orphan's parent)", g.Unresolved())
	}
}

func mustLookup(g *epg.Graph, id string) int32 {
	i, _ := g.Lookup(id)
	return i
}

func TestShortIDsAndLegacyParent(t *testing.T) {
	f := evidencetest.Decode(t, &Decoder{}, filepath.Join("testdata", "short_ids.json"))
	g := build(f)
	trace := strings.Repeat("0", 29) + "abc"
	root := epg.SpanNodeID(trace, "0000000000000001")
	if !hasEdge(g, root, epg.SpanNodeID(trace, "0000000000000002"), epg.EdgeCall) {
		t.Error("parentSpanID did not give a call edge")
	}
	if v, _ := node(t, g, root).Attr("untyped"); !v.Equal(epg.Int(7)) {
		t.Errorf("untyped tag = %v", v.AsString())
	}
}

func TestTruncation(t *testing.T) {
	long := strings.Repeat("x", evidence.MaxValueLen+100)
	doc := `{"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"op","startTime":1,"duration":1,` +
		`"tags":[{"key":"db.statement","type":"string","value":"` + long + `"}],"processID":"p"}],"processes":{"p":{"serviceName":"s"}}}`
	f, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "long", Data: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	n := f.Nodes[0]
	if got := len(n.Attrs.Str("db.statement")); got != evidence.MaxValueLen {
		t.Errorf("value length %d, want %d", got, evidence.MaxValueLen)
	}
	if v, _ := n.Attr("db.statement" + evidence.TruncatedSuffix); v.IntVal() != int64(len(long)) {
		t.Errorf("truncation marker = %v", v.AsString())
	}
}

func TestBadInput(t *testing.T) {
	span := func(fields string) string {
		return `{"traceID":"1","spans":[` + fields + `],"processes":{}}`
	}
	cases := []struct {
		name, in string
		// The error points at the first occurrence of at, or just past it
		// when at ends in "@" (encoding/json reports the end of a value
		// of the wrong type); at "" means the end of the input.
		at   string
		want string
	}{
		{"truncated", `{"data":[{"traceID":"01","spans":[`, "", "JSON"},
		{"not an object", `  [1,2]`, "[", "expected a Jaeger JSON object"},
		{"wrong type", span(`{"spanID":"2","startTime":"yesterday"}`), `"yesterday"@`, "expected int64"},
		{"bad hex", span(`{"spanID":"2"},{"spanID":"zz12"}`), `"zz12"`, `invalid spanID "zz12"`},
		{"empty id", span(`{"spanID":""}`), `""`, "invalid spanID"},
		{"long trace id", `{"traceID":"` + strings.Repeat("a", 33) + `","spans":[{"spanID":"1"}]}`, `"aaaa`, "invalid traceID"},
		{"negative duration", span(`{"spanID":"2","duration":-5}`), `-5`, "invalid duration -5"},
		{"bad tag", span(`{"spanID":"2","tags":[{"key":"n","type":"int64","value":"twelve"}]}`), `"twelve"`, `not an int64`},
		{"bad reference", span(`{"spanID":"2","references":[{"refType":"CHILD_OF","spanID":"xyz"}]}`), `"xyz"`, "reference 0"},
		{"deep nesting", strings.Repeat("[", 300), strings.Repeat("[", 257)[256:], "nested deeper"},
		{"cycle", span(`{"spanID":"a","references":[{"refType":"CHILD_OF","spanID":"b"}]},` +
			`{"spanID":"b","references":[{"refType":"CHILD_OF","spanID":"a"}]}`), `"a",`, "span a: its CHILD_OF chain forms a cycle"},
		{"self parent", span(`{"spanID":"7","references":[{"refType":"CHILD_OF","spanID":"7"}]}`), `"7",`, "cycle"},
		{"api error", `{"data":null,"total":0,"errors":[{"code":404,"msg":"trace not found"}]}`, `"errors"`, "404 trace not found"},
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
			want := int64(len(data)) // truncated input: the end
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
		{`{"data":[{"traceID":"1","spans":[{"spanID":"2","operationName":"x"}]}]}`, evidence.Certain},
		{`{"traceID":"1","processes":{}}`, evidence.Likely},
		{`[{"traceId":"1","id":"2"}]`, evidence.No},                     // Zipkin
		{`{"traceId":"1","spans":[]}`, evidence.No},                     // not Jaeger's spelling
		{`{"resourceSpans":[{"traceID":"1","spans":[]}]}`, evidence.No}, // OTLP
		{`{"data":[],"total":0,"limit":0,"offset":0,"errors":null}`, evidence.Maybe},
	}
	for _, tc := range cases {
		if got := d.Sniff(&evidence.Input{Data: []byte(tc.in)}); got != tc.want {
			t.Errorf("Sniff(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
	if dir := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance"); dirExists(dir) {
		for sub, want := range map[string]evidence.Confidence{"jaeger/ui_01.json": evidence.Certain, "zipkin/skew.json": evidence.No} {
			data, err := os.ReadFile(filepath.Join(dir, sub))
			if err != nil {
				continue
			}
			if got := d.Sniff(&evidence.Input{Data: data}); got != want {
				t.Errorf("Sniff(%s) = %d, want %d", sub, got, want)
			}
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func BenchmarkDecode(b *testing.B) {
	data := benchInput(b)
	in := &evidence.Input{Name: "bench", Data: data}
	b.Run("jaeger", func(b *testing.B) {
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

// benchInput repeats the committed trace's spans into a 1000-span trace.
func benchInput(b *testing.B) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", "exceptions.json"))
	if err != nil {
		b.Fatal(err)
	}
	var doc struct {
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		b.Fatal(err)
	}
	tr := doc.Data[0]
	spans := tr["spans"].([]any)
	many := make([]any, 0, 1000)
	for len(many) < 1000 {
		c := map[string]any{}
		for k, v := range spans[len(many)%len(spans)].(map[string]any) {
			c[k] = v
		}
		c["spanID"] = fmt.Sprintf("%016x", len(many)+1)
		if len(many) > 0 {
			c["references"] = []any{map[string]any{"refType": "CHILD_OF", "spanID": fmt.Sprintf("%016x", len(many))}}
		}
		many = append(many, c)
	}
	tr["spans"] = many
	out, err := json.Marshal(map[string]any{"data": []any{tr}})
	if err != nil {
		b.Fatal(err)
	}
	return out
}
