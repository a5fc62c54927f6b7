package otlp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func TestGoldenTestdata(t *testing.T) {
	for _, name := range []string{"exceptions.json", "logs_exception.json"} {
		t.Run(name, func(t *testing.T) {
			evidencetest.Golden(t, JSONDecoder{}, filepath.Join("testdata", name),
				filepath.Join("testdata", strings.TrimSuffix(name, ".json")+".golden.json"))
		})
	}
}

func TestGoldenConformance(t *testing.T) {
	dir := evidencetest.ConformanceDir(t, "otlp")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(paths) == 0 {
		t.Fatal("no conformance files")
	}
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			data, _ := os.ReadFile(p)
			if c := (JSONDecoder{}).Sniff(&evidence.Input{Name: name, Data: data}); c != evidence.Certain {
				t.Errorf("sniff = %v, want Certain", c)
			}
			f := evidencetest.Golden(t, JSONDecoder{}, p, filepath.Join("testdata", "conformance", strings.TrimSuffix(name, ".json")+".golden.json"))
			if len(f.Nodes) == 0 {
				t.Error("no nodes decoded")
			}
		})
	}
}

func TestExceptionSpanEvent(t *testing.T) {
	f := evidencetest.Decode(t, JSONDecoder{}, "testdata/exceptions.json")
	g := evidencetest.Build(f)
	span, ok := g.Lookup(epg.SpanNodeID("4bf92f3577b34da6a3ce929d0e0e4736", "b7ad6b7169203331"))
	if !ok {
		t.Fatal("child span missing")
	}
	parent, _ := g.Lookup(epg.SpanNodeID("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"))
	if got := g.Parents(span, epg.EdgeCall); len(got) != 1 || got[0] != parent {
		t.Errorf("call parents of child = %v, want [%d]", got, parent)
	}
	events := g.Children(span, epg.EdgeEmits)
	var exc *epg.Node
	var excIdx int32
	for _, e := range events {
		if g.Node(e).EventType() == epg.EventException {
			exc, excIdx = g.Node(e), e
		}
	}
	if exc == nil {
		t.Fatalf("no exception event emitted by span (events %v)", events)
	}
	if got := exc.Attrs.Str(epg.AttrExceptionType); got != "runtime.Error" {
		t.Errorf("exception.type = %q", got)
	}
	if v, _ := exc.Attr("exception.escaped"); !v.BoolVal() {
		t.Error("exception.escaped lost")
	}
	// The innermost frame emits the exception.
	frames := g.Parents(excIdx, epg.EdgeEmits)
	var top *epg.Node
	for _, fi := range frames {
		if g.Node(fi).Kind == epg.KindFrame {
			top = g.Node(fi)
		}
	}
	if top == nil {
		t.Fatal("no frame emits the exception")
	}
	if top.Loc.File != "/src/shop/cart/service.go" || top.Loc.Line != 42 || !top.Loc.InApp {
		t.Errorf("top frame = %+v", top.Loc)
	}
}

func TestRejectsSpanWithoutID(t *testing.T) {
	data, _ := os.ReadFile("testdata/exceptions.json")
	f, rej, err := DecodeJSON(&evidence.Input{Name: "x", Data: data}, SignalTraces)
	if err != nil {
		t.Fatal(err)
	}
	if rej.Count != 1 || !strings.Contains(rej.Reason, "no id") {
		t.Errorf("rejected = %+v", rej)
	}
	spans := 0
	for _, n := range f.Nodes {
		if n.Kind == epg.KindSpan {
			spans++
		}
	}
	if spans != 2 {
		t.Errorf("spans = %d, want 2", spans)
	}
}

func TestLogsCorrelateAndException(t *testing.T) {
	traces := evidencetest.Decode(t, JSONDecoder{}, "testdata/exceptions.json")
	logs := evidencetest.Decode(t, JSONDecoder{}, "testdata/logs_exception.json")
	// A span with the log's IDs, from another artifact: the builder joins them.
	span := epg.Node{ID: epg.SpanNodeID("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"), Kind: epg.KindSpan,
		Name: "POST /charge", Service: "billing", Trace: epg.TraceRef{TraceID: "5b8efff798038103d269b633813fc60c", SpanID: "eee19b7ec3c1b174"}}
	b := epg.NewBuilder()
	b.Add(traces)
	b.Add(&epg.Fragment{Nodes: []epg.Node{span}})
	b.Add(logs)
	g := b.Build()
	si, _ := g.Lookup(span.ID)
	var correlated, emitted int
	for _, e := range g.In(si) {
		if g.Edge(e).Kind == epg.EdgeCorrelates {
			correlated++
		}
	}
	var exc int32 = -1
	for _, c := range g.Children(si, epg.EdgeEmits) {
		emitted++
		if g.Node(c).Attrs.Str(epg.AttrExceptionType) == "java.lang.IllegalStateException" {
			exc = c
		}
	}
	if correlated != 1 || emitted != 1 || exc < 0 {
		t.Fatalf("correlated=%d emitted=%d exc=%d", correlated, emitted, exc)
	}
	if causes := g.Children(exc, epg.EdgeCausedBy); len(causes) != 1 {
		t.Fatalf("exception has %d causes, want the NullPointerException", len(causes))
	}
}

func TestProtoMatchesJSON(t *testing.T) {
	for _, name := range []string{"exceptions.json", "logs_exception.json"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		var pb []byte
		var err error
		if strings.Contains(name, "logs") {
			req := plogotlp.NewExportRequest()
			if err := req.UnmarshalJSON(data); err != nil {
				t.Fatal(err)
			}
			pb, err = req.MarshalProto()
		} else {
			req := ptraceotlp.NewExportRequest()
			if err := req.UnmarshalJSON(data); err != nil {
				t.Fatal(err)
			}
			pb, err = req.MarshalProto()
		}
		if err != nil {
			t.Fatal(err)
		}
		in := &evidence.Input{Name: name, Data: pb}
		if c := (ProtoDecoder{}).Sniff(in); c == evidence.No {
			t.Fatalf("%s: proto not sniffed", name)
		}
		if c := (JSONDecoder{}).Sniff(in); c != evidence.No {
			t.Fatalf("%s: JSON decoder claims protobuf", name)
		}
		pf, err := ProtoDecoder{}.Decode(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		jf := evidencetest.Decode(t, JSONDecoder{}, filepath.Join("testdata", name))
		if got, want := string(evidencetest.GraphJSON(t, pf)), string(evidencetest.GraphJSON(t, jf)); got != want {
			t.Errorf("%s: protobuf and JSON decodes differ", name)
		}
	}
}

func TestBadInput(t *testing.T) {
	good, _ := os.ReadFile("testdata/exceptions.json")
	validPB := func() []byte {
		req := ptraceotlp.NewExportRequest()
		_ = req.UnmarshalJSON(good)
		b, _ := req.MarshalProto()
		return b
	}()
	cases := []struct {
		name    string
		dec     evidence.Decoder
		data    []byte
		wantMsg string
		wantOff int64 // -2: any non-negative offset
	}{
		{"truncated json", JSONDecoder{}, good[:len(good)/2], "truncated", -2},
		{"syntax", JSONDecoder{}, []byte(`{"resourceSpans":[{"scopeSpans":[}]}`), "invalid JSON", 33},
		{"bad trace id", JSONDecoder{}, []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"EEE19B7EC3C1B174"}]}]}]}`), "length mismatch", -2},
		{"wrong type", JSONDecoder{}, []byte(`{"resourceSpans":{"a":1}}`), "ReadArray", -2},
		{"bad timestamp", JSONDecoder{}, []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","startTimeUnixNano":"abc"}]}]}]}`), "ParseUint", -2},
		{"deep nesting", JSONDecoder{}, []byte(`{"resourceSpans":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`), "nested deeper", -2},
		{"truncated proto", ProtoDecoder{}, validPB[:len(validPB)-7], "truncated", -2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.dec.Decode(context.Background(), &evidence.Input{Name: "bad.json", Data: c.data})
			var ee *evidence.Error
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want *evidence.Error", err)
			}
			if !errors.Is(err, evidence.ErrBadInput) {
				t.Error("not ErrBadInput")
			}
			if !strings.Contains(err.Error(), c.wantMsg) || !strings.HasPrefix(err.Error(), "bad.json") {
				t.Errorf("err = %q, want mention of %q and the file", err, c.wantMsg)
			}
			if c.wantOff == -2 && ee.Offset < 0 || c.wantOff >= 0 && ee.Offset != c.wantOff {
				t.Errorf("offset = %d, want %d (%v)", ee.Offset, c.wantOff, err)
			}
		})
	}
}

func TestBadIDLengthInProto(t *testing.T) {
	// ExportTraceServiceRequest{resource_spans{scope_spans{spans{trace_id: 3 bytes}}}}
	span := []byte{0x0a, 0x03, 1, 2, 3}
	ss := append([]byte{0x12, byte(len(span))}, span...)
	rs := append([]byte{0x12, byte(len(ss))}, ss...)
	req := append([]byte{0x0a, byte(len(rs))}, rs...)
	off, msg := locateProtoError(req, SignalTraces)
	if off != 6 || !strings.Contains(msg, "trace_id") {
		t.Errorf("got %d %q, want offset 6 naming trace_id", off, msg)
	}
}

func TestLongAttributeClippedAndMarked(t *testing.T) {
	long := strings.Repeat("a", evidence.MaxValueLen+10)
	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"x",` +
		`"attributes":[{"key":"db.statement","value":{"stringValue":"` + long + `"}}]}]}]}]}`
	f, err := JSONDecoder{}.Decode(context.Background(), &evidence.Input{Name: "long.json", Data: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	n := f.Nodes[0]
	if v, _ := n.Attr("db.statement"); len(v.Str()) != evidence.MaxValueLen {
		t.Errorf("value length %d, want %d", len(v.Str()), evidence.MaxValueLen)
	}
	if v, _ := n.Attr("db.statement" + evidence.TruncatedSuffix); v.IntVal() != int64(len(long)) {
		t.Errorf("original length = %v, want %d", v, len(long))
	}
}
