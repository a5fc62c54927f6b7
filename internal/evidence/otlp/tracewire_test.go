package otlp

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// checkWireMatchesPdata decodes data on both paths: wherever the wire
// decoder accepts a request, pdata must accept it too and FromTraces must
// make exactly the same fragment of it. It reports whether the wire path
// took the request.
func checkWireMatchesPdata(t *testing.T, data []byte) bool {
	t.Helper()
	got, gotRej, ok := tracesFromWire(data, "src")
	if !ok {
		return false
	}
	td, err := (&ptrace.ProtoUnmarshaler{}).UnmarshalTraces(data)
	if err != nil {
		t.Fatalf("wire decoder accepted what pdata rejects (%v): %x", err, data)
	}
	want, wantRej := FromTraces(td, "src")
	if !reflect.DeepEqual(got, want) || gotRej != wantRej {
		t.Fatalf("wire and pdata paths differ on %x\nwire:  %+v %+v\npdata: %+v %+v", data, got, gotRej, want, wantRej)
	}
	return true
}

// richTraces exercises everything the mapping reads: several resources
// and scopes, every value type, nesting, clipping, duplicate keys, span
// events (exceptions among them), links, status messages, rejected spans.
func richTraces() ptrace.Traces {
	td := ptrace.NewTraces()
	for r := 0; r < 2; r++ {
		rs := td.ResourceSpans().AppendEmpty()
		ra := rs.Resource().Attributes()
		ra.PutStr("service.name", "svc"+string(rune('a'+r)))
		ra.PutStr("host.name", strings.Repeat("h", 5000))
		ra.PutInt("process.pid", int64(100+r))
		for sc := 0; sc < 2; sc++ {
			ss := rs.ScopeSpans().AppendEmpty()
			if sc == 0 {
				ss.Scope().SetName("scope")
				ss.Scope().Attributes().PutStr("k", "v")
			}
			for i := 0; i < 6; i++ {
				s := ss.Spans().AppendEmpty()
				s.SetTraceID(pcommon.TraceID{1, byte(r), byte(sc), 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
				if i != 5 {
					s.SetSpanID(pcommon.SpanID{byte(i + 1), 2, 3, 4, 5, 6, 7, 8})
				}
				if i > 0 {
					s.SetParentSpanID(pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8})
				}
				s.SetName("op")
				s.SetKind(ptrace.SpanKind(i))
				s.SetStartTimestamp(pcommon.Timestamp(1000 * i))
				s.SetEndTimestamp(pcommon.Timestamp(1000*i + 500))
				a := s.Attributes()
				a.PutStr("http.route", "/x/{id}")
				a.PutStr("z.long", strings.Repeat("é", 3000))
				a.PutInt("n", int64(i))
				a.PutDouble("f", 1.5)
				a.PutBool("b", i%2 == 0)
				a.PutEmptyBytes("raw").FromRaw([]byte{0, 1, 2})
				a.PutEmpty("nothing")
				sl := a.PutEmptySlice("list")
				sl.AppendEmpty().SetStr(strings.Repeat("x", 5000))
				sl.AppendEmpty().SetInt(3)
				a.PutEmptySlice("empty.list")
				m := a.PutEmptyMap("map")
				m.PutStr("b", "1")
				m.PutStr("a", "2")
				m.PutEmptyMap("inner").PutBool("deep", true)
				a.PutEmptyMap("empty.map")
				switch i {
				case 1:
					s.Status().SetCode(ptrace.StatusCodeError)
					s.Status().SetMessage("boom")
					ev := s.Events().AppendEmpty()
					ev.SetName("exception")
					ev.SetTimestamp(1234)
					ev.Attributes().PutStr("exception.type", "java.lang.IllegalStateException")
					ev.Attributes().PutStr("exception.message", "bad state")
					ev.Attributes().PutStr("exception.stacktrace", "java.lang.IllegalStateException: bad state\n\tat com.shop.Cart.add(Cart.java:42)\n")
					ev.Attributes().PutBool("exception.escaped", true)
					ev.Attributes().PutStr("thread.name", "main")
				case 2:
					ev := s.Events().AppendEmpty()
					ev.SetName("retry")
					ev.Attributes().PutInt("attempt", 2)
					s.Events().AppendEmpty().SetName("empty")
					l := s.Links().AppendEmpty()
					l.SetTraceID(pcommon.TraceID{9})
					l.SetSpanID(pcommon.SpanID{9})
					l.Attributes().PutStr("why", "batch")
					s.Links().AppendEmpty().SetTraceID(pcommon.TraceID{8})
				case 3:
					s.Status().SetCode(ptrace.StatusCodeOk)
					s.Status().SetMessage(strings.Repeat("m", 5000))
				}
			}
		}
	}
	return td
}

func TestWireMatchesPdata(t *testing.T) {
	inputs := map[string][]byte{"sample": sampleProto(t)}
	rich, err := ptraceotlp.NewExportRequestFromTraces(richTraces()).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	inputs["rich"] = rich
	// Enough spans (288) to be decoded in two halves on two goroutines,
	// with rejected spans and exceptions in both.
	big := ptrace.NewTraces()
	for range 12 {
		richTraces().ResourceSpans().MoveAndAppendTo(big.ResourceSpans())
	}
	if inputs["large"], err = ptraceotlp.NewExportRequestFromTraces(big).MarshalProto(); err != nil {
		t.Fatal(err)
	}
	inputs["empty"] = []byte{}
	paths, _ := filepath.Glob(filepath.Join(evidencetest.ConformanceDir(t, "otlp"), "*.json"))
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		req := ptraceotlp.NewExportRequest()
		if req.UnmarshalJSON(data) != nil || req.Traces().SpanCount() == 0 {
			continue
		}
		b, err := req.MarshalProto()
		if err != nil {
			t.Fatal(err)
		}
		inputs[filepath.Base(p)] = b
	}
	for name, data := range inputs {
		t.Run(name, func(t *testing.T) {
			if !checkWireMatchesPdata(t, data) {
				t.Error("wire decoder declined a valid request")
			}
		})
	}
}

// TestWireDeclinesWhatPdataMerges: inputs the wire decoder must leave to
// pdata, which merges repeated messages or knows fields it does not.
func TestWireDeclinesWhatPdataMerges(t *testing.T) {
	span := protowire.AppendTag(nil, 1, protowire.BytesType)
	span = protowire.AppendBytes(span, make([]byte, 16))
	status := protowire.AppendTag(nil, 2, protowire.BytesType)
	status = protowire.AppendString(status, "x")
	twice := append([]byte(nil), span...)
	for range 2 {
		twice = protowire.AppendTag(twice, 15, protowire.BytesType)
		twice = protowire.AppendBytes(twice, status)
	}
	unknown := protowire.AppendTag(append([]byte(nil), span...), 99, protowire.VarintType)
	unknown = protowire.AppendVarint(unknown, 1)
	shortID := protowire.AppendTag(nil, 1, protowire.BytesType)
	shortID = protowire.AppendBytes(shortID, make([]byte, 5))
	for name, s := range map[string][]byte{"status twice": twice, "unknown field": unknown, "short trace id": shortID} {
		ss := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), s)
		rs := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), ss)
		req := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), rs)
		if _, _, ok := tracesFromWire(req, "src"); ok {
			t.Errorf("%s: wire decoder took it", name)
		}
	}
}

func FuzzWireMatchesPdata(f *testing.F) {
	f.Add([]byte{0x0a, 0x00})
	f.Add(sampleProto(f))
	rich, err := ptraceotlp.NewExportRequestFromTraces(richTraces()).MarshalProto()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rich)
	f.Fuzz(func(t *testing.T, data []byte) { checkWireMatchesPdata(t, data) })
}
