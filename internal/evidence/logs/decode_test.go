package logs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// decoderFor picks the decoder by the fixture's extension.
func decoderFor(path string) evidence.Decoder {
	if strings.HasSuffix(path, ".logfmt") {
		return &LogfmtDecoder{}
	}
	return &JSONDecoder{}
}

func fixtures(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, g := range []string{"*.jsonl", "*.logfmt"} {
		ps, _ := filepath.Glob(filepath.Join("testdata", g))
		out = append(out, ps...)
	}
	if len(out) == 0 {
		t.Fatal("no fixtures")
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, p := range fixtures(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			evidencetest.Golden(t, decoderFor(p), p, filepath.Join("testdata", "golden", filepath.Base(p)+".golden.json"))
		})
	}
}

func decodeFile(t *testing.T, name string) *epg.Graph {
	t.Helper()
	p := filepath.Join("testdata", name)
	return evidencetest.Build(evidencetest.Decode(t, decoderFor(p), p))
}

func decodeString(t *testing.T, d evidence.Decoder, s string) *epg.Graph {
	t.Helper()
	f, err := d.Decode(context.Background(), &evidence.Input{Name: "t.log", Data: []byte(s)})
	if err != nil {
		t.Fatal(err)
	}
	return evidencetest.Build(f)
}

// events returns the event nodes in line order.
func events(g *epg.Graph) []*epg.Node {
	var out []*epg.Node
	for i := 0; i < g.NumNodes(); i++ {
		if n := g.Node(int32(i)); n.Kind == epg.KindEvent && !strings.Contains(n.ID, "/") {
			out = append(out, n)
		}
	}
	return out
}

func sevNum(n *epg.Node) int64 {
	v, _ := n.Attr(epg.AttrSeverityNumber)
	return v.IntVal()
}

// frames returns the frame functions under an event, innermost first.
func frames(g *epg.Graph, ev string) []string {
	var out []string
	for i := 0; ; i++ {
		j, ok := g.Lookup(ev + "/frame/" + strconv.Itoa(i))
		if !ok {
			return out
		}
		out = append(out, g.Node(j).Name)
	}
}

func TestSlog(t *testing.T) {
	for _, name := range []string{"slog.jsonl", "slog.logfmt"} {
		t.Run(name, func(t *testing.T) {
			g := decodeFile(t, name)
			ev := events(g)
			if len(ev) != 5 {
				t.Fatalf("%d events, want 5", len(ev))
			}
			wantSev := []int64{9, 5, 13, 17, 19} // INFO DEBUG WARN ERROR ERROR+2
			for i, n := range ev {
				if sevNum(n) != wantSev[i] {
					t.Errorf("event %d %q: severity %d, want %d", i, n.Name, sevNum(n), wantSev[i])
				}
				if n.Service != "orders" || n.Start == 0 {
					t.Errorf("event %d: service %q start %d", i, n.Service, n.Start)
				}
				if n.Loc == nil || n.Loc.File != "/build/slog/main.go" || n.Loc.Lang != "go" || n.Loc.Line == 0 {
					t.Errorf("event %d: loc %+v", i, n.Loc)
				}
			}
			if ev[1].Attrs.Str("note") != "two\nlines" || ev[1].Attrs.Str("key") != `order "7"` {
				t.Errorf("escapes: note %q key %q", ev[1].Attrs.Str("note"), ev[1].Attrs.Str("key"))
			}
			warn := ev[2]
			if warn.Trace.TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || warn.Trace.SpanID != "00f067aa0ba902b7" {
				t.Errorf("trace %+v", warn.Trace)
			}
			if warn.Attrs.Str("req.method") != "GET" || warn.EventType() != epg.EventLog {
				t.Errorf("warn attrs %v", warn.Attrs)
			}
			if v, _ := warn.Attr("duration_ms"); !v.Equal(epg.Float(812.5)) {
				t.Errorf("duration_ms = %v", v.AsString())
			}
			exc := ev[3]
			if exc.EventType() != epg.EventException || exc.Attrs.Str(epg.AttrExceptionMsg) != "store.get 7: order not found" {
				t.Errorf("error record: %v", exc.Attrs)
			}
			if exc.Attrs.Str("log.body") != "lookup failed" || exc.Attrs.Str(epg.AttrSeverity) != "ERROR" {
				t.Errorf("exception lost the log attributes: %v", exc.Attrs)
			}
			if fs := frames(g, exc.ID); len(fs) < 3 || fs[0] != "runtime/debug.Stack" || fs[1] != "main.(*store).get" {
				t.Errorf("frames %v", fs)
			}
			if exc.Loc == nil || exc.Loc.Function != "main.(*store).get" {
				t.Errorf("exception loc %+v: want the innermost in-app frame", exc.Loc)
			}
			if ev[4].Attrs.Str(epg.AttrSeverity) != "ERROR+2" {
				t.Errorf("severity text %q", ev[4].Attrs.Str(epg.AttrSeverity))
			}
		})
	}
}

func TestZap(t *testing.T) {
	for _, name := range []string{"zap.jsonl", "zap_iso.jsonl"} {
		t.Run(name, func(t *testing.T) {
			g := decodeFile(t, name)
			ev := events(g)
			wantSev := []int64{5, 9, 13, 17, 21} // debug info warn error dpanic
			if len(ev) != len(wantSev) {
				t.Fatalf("%d events", len(ev))
			}
			for i, n := range ev {
				if sevNum(n) != wantSev[i] || n.Service != "payments" || n.Start < 1.7e18 {
					t.Errorf("event %d: severity %d service %q start %d", i, sevNum(n), n.Service, n.Start)
				}
			}
			if l := ev[1].Loc; l == nil || l.File != "zaplogrus/main.go" || l.Line != 38 || l.Lang != "go" {
				t.Errorf("caller %+v", ev[1].Loc)
			}
			if ev[2].EventType() != epg.EventLog || ev[2].Attrs.Str("error") == "" {
				t.Errorf("warn without a stack must stay a log with its error: %v", ev[2].Attrs)
			}
			exc := ev[3]
			if exc.EventType() != epg.EventException || exc.Trace.TraceID != "0af7651916cd43dd8448eb211c80319c" {
				t.Fatalf("error record %v %+v", exc.Attrs, exc.Trace)
			}
			if fs := frames(g, exc.ID); len(fs) != 4 || fs[0] != "main.charge" || fs[3] != "runtime.main" {
				t.Errorf("frames %v", fs)
			}
			if exc.Attrs.Str(epg.AttrExceptionMsg) != "charge card: dial tcp 10.0.0.9:5432: i/o timeout" {
				t.Errorf("message %q", exc.Attrs.Str(epg.AttrExceptionMsg))
			}
		})
	}
}

func TestLogrus(t *testing.T) {
	for _, name := range []string{"logrus.jsonl", "logrus.logfmt"} {
		t.Run(name, func(t *testing.T) {
			ev := events(decodeFile(t, name))
			wantSev := []int64{1, 9, 13, 17, 24} // trace info warning error panic
			if len(ev) != len(wantSev) {
				t.Fatalf("%d events", len(ev))
			}
			for i, n := range ev {
				if sevNum(n) != wantSev[i] {
					t.Errorf("event %d %q: severity %d want %d", i, n.Name, sevNum(n), wantSev[i])
				}
				if n.Loc == nil || n.Loc.File != "/build/zaplogrus/main.go" || n.Loc.Line == 0 || !strings.HasPrefix(n.Loc.Function, "main.logrusLogs") {
					t.Errorf("event %d loc %+v", i, n.Loc)
				}
			}
			if v, _ := ev[1].Attr("batch"); !v.Equal(epg.Int(17)) {
				t.Errorf("batch = %v", v.AsString())
			}
			if ev[3].Trace.TraceID != "0af7651916cd43dd8448eb211c80319c" || ev[3].Trace.SpanID != "" {
				t.Errorf("trace %+v", ev[3].Trace)
			}
		})
	}
}

func TestPython(t *testing.T) {
	g := decodeFile(t, "python_ecs.jsonl")
	ev := events(g)
	wantSev := []int64{5, 9, 17, 13, 21}
	for i, n := range ev {
		if sevNum(n) != wantSev[i] || n.Service != "inventory" {
			t.Errorf("event %d: severity %d service %q", i, sevNum(n), n.Service)
		}
	}
	exc := ev[2]
	if exc.EventType() != epg.EventException || exc.Attrs.Str(epg.AttrExceptionType) != "RuntimeError" ||
		exc.Trace.SpanID != "eee19b7ec3c1b174" {
		t.Fatalf("exception %v %+v", exc.Attrs, exc.Trace)
	}
	cause := evidencetest.Node(t, g, exc.ID+"/cause")
	if !evidencetest.HasEdge(g, exc.ID, cause.ID, epg.EdgeCausedBy) || cause.Attrs.Str(epg.AttrExceptionType) != "KeyError" {
		t.Errorf("cause %v", cause.Attrs)
	}
	if ev[3].EventType() != epg.EventException || ev[3].Attrs.Str(epg.AttrExceptionType) != "ValueError" {
		t.Errorf("a warning with exc_info is an exception: %v", ev[3].Attrs)
	}
	if l := ev[0].Loc; l == nil || l.File != "app.py" || l.Function != "main" || l.Lang != "python" {
		t.Errorf("origin %+v", ev[0].Loc)
	}
	if ev[0].Attrs.Str("log.logger") != "inventory.stock" || ev[0].Attrs.Str("process.thread.name") != "MainThread" {
		t.Errorf("flattened attributes %v", ev[0].Attrs)
	}

	ev = events(decodeFile(t, "python_plain.jsonl"))
	if ev[0].Trace.TraceID != "" || ev[1].Trace.TraceID != "5b8efff798038103d269b633813fc60c" {
		t.Errorf("otelTraceID: %+v %+v", ev[0].Trace, ev[1].Trace)
	}
	if _, ok := ev[0].Attr("otelTraceID"); ok {
		t.Error(`otelTraceID "0" means no trace and is dropped`)
	}
	if ev[2].EventType() != epg.EventException || ev[2].Attrs.Str(epg.AttrExceptionType) != "RuntimeError" || ev[2].Start == 0 {
		t.Errorf("exc_info: %v", ev[2].Attrs)
	}
	if ev[4].Attrs.Str(epg.AttrSeverity) != "CRITICAL" || sevNum(ev[4]) != 21 {
		t.Errorf("critical: %v", ev[4].Attrs)
	}
}

func TestNode(t *testing.T) {
	const trace, span = "0000000000000000112210f47de98115", "000000003ade68b1" // 1234567890123456789, 987654321
	for _, name := range []string{"pino.jsonl", "bunyan.jsonl"} {
		t.Run(name, func(t *testing.T) {
			g := decodeFile(t, name)
			ev := events(g)
			if name == "pino.jsonl" && (sevNum(ev[0]) != 1 || ev[0].Attrs.Str(epg.AttrSeverity) != "trace") {
				t.Errorf("pino 10: %v", ev[0].Attrs)
			}
			exc := ev[2]
			if exc.EventType() != epg.EventException || exc.Trace != (epg.TraceRef{TraceID: trace, SpanID: span}) {
				t.Fatalf("payment failed: %v %+v", exc.Attrs, exc.Trace)
			}
			if exc.Attrs.Str(epg.AttrExceptionType) != "PaymentError" || exc.Service != "checkout" {
				t.Errorf("type %q service %q", exc.Attrs.Str(epg.AttrExceptionType), exc.Service)
			}
			if fs := frames(g, exc.ID); len(fs) == 0 || fs[0] != "authorize" {
				t.Errorf("frames %v", fs)
			}
			if ev[3].EventType() != epg.EventLog || ev[3].Trace.TraceID != trace || sevNum(ev[3]) != 13 {
				t.Errorf("warn %v %+v", ev[3].Attrs, ev[3].Trace)
			}
			if sevNum(ev[4]) != 21 || ev[4].Attrs.Str(epg.AttrExceptionType) != "TypeError" {
				t.Errorf("fatal %v", ev[4].Attrs)
			}
			if _, ok := ev[1].Attr("v"); ok {
				t.Error("bunyan's format version kept")
			}
			if v, _ := ev[1].Attr("cart.total"); !v.Equal(epg.Float(250.5)) {
				t.Errorf("cart.total %v", v.AsString())
			}
		})
	}
}

// TestMixed: one file, seven loggers; each record is read by its own
// shape.
func TestMixed(t *testing.T) {
	ev := events(decodeFile(t, "mixed.jsonl"))
	if len(ev) != 14 {
		t.Fatalf("%d events", len(ev))
	}
	want := []int64{13, 17, 13, 17, 13, 17, 17, 13, 17, 13, 17, 13, 17, 13}
	for i, n := range ev {
		if sevNum(n) != want[i] {
			t.Errorf("line %d %q: severity %d want %d", i+1, n.Name, sevNum(n), want[i])
		}
		if n.Start == 0 || n.ID != n.ID[:strings.LastIndexByte(n.ID, ':')]+":"+strconv.Itoa(i+1) {
			t.Errorf("line %d: start %d id %s", i+1, n.Start, n.ID)
		}
	}
}

func TestHandWritten(t *testing.T) {
	d := &JSONDecoder{}
	g := decodeString(t, d, `{"v":0,"level":40,"name":"svc","hostname":"h","pid":1,"time":"2024-05-01T10:00:00Z","msg":"m","src":{"file":"/app/lib/x.js","line":12,"func":"run"}}
{"@timestamp":"2024-05-01T12:00:00.5+02:00","log":{"level":"WARN"},"message":"ecs nested","error":{"stack_trace":"java.lang.IllegalStateException: boom\n\tat com.x.Svc.run(Svc.java:10)\n\tat com.x.Main.main(Main.java:3)\n"},"dd":{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"18446744073709551615"}}
{"ts":1714557600123456789,"level":"info","msg":"ns","logging.googleapis.com/trace":"projects/p/traces/00000000000000000000000000000abc","logging.googleapis.com/spanId":"0000000000000def"}
{"time":1.7145576e9,"severity":"NOTICE","message":"exp","lvl":"ignored","file":"report.pdf","n":18446744073709551616,"nothing":null,"list":[1,"a",{"k":true}]}
{"msg":"no level","time":"not a time"}`)
	ev := events(g)
	if l := ev[0].Loc; l == nil || l.File != "/app/lib/x.js" || l.Line != 12 || l.Function != "run" || l.Lang != "javascript" {
		t.Errorf("bunyan src %+v", ev[0].Loc)
	}
	if ev[0].Service != "svc" || sevNum(ev[0]) != 13 || ev[0].Start != 1714557600000000000 {
		t.Errorf("bunyan: %q %d %d", ev[0].Service, sevNum(ev[0]), ev[0].Start)
	}
	e := ev[1]
	if e.EventType() != epg.EventException || e.Attrs.Str(epg.AttrExceptionType) != "java.lang.IllegalStateException" ||
		e.Start != 1714557600500000000 {
		t.Errorf("ECS: %v start %d", e.Attrs, e.Start)
	}
	if e.Trace != (epg.TraceRef{TraceID: "5b8efff798038103d269b633813fc60c", SpanID: "ffffffffffffffff"}) {
		t.Errorf("dd 128-bit hex trace and max span: %+v", e.Trace)
	}
	if ev[2].Start != 1714557600123456789 || ev[2].Trace.TraceID != "00000000000000000000000000000abc" || ev[2].Trace.SpanID != "0000000000000def" {
		t.Errorf("epoch ns / GCP: %d %+v", ev[2].Start, ev[2].Trace)
	}
	x := ev[3]
	if x.Start != 1714557600000000000 || sevNum(x) != 10 || x.Attrs.Str("lvl") != "ignored" || x.Loc != nil {
		t.Errorf("exponent time %d, NOTICE %d, attrs %v, loc %+v", x.Start, sevNum(x), x.Attrs, x.Loc)
	}
	if v, _ := x.Attr("n"); v.Str() != "18446744073709551616" {
		t.Errorf("big integer %v", v.AsString())
	}
	if v, _ := x.Attr("list"); v.AsString() != `[1,"a",{"k":true}]` {
		t.Errorf("list %s", v.AsString())
	}
	if ev[4].Start != 0 || ev[4].Attrs.Str("time") != "not a time" || ev[4].Attrs.Str(epg.AttrSeverity) != "" {
		t.Errorf("unparsed time kept as attribute: %v", ev[4].Attrs)
	}
	f, _ := d.Decode(context.Background(), &evidence.Input{Name: "t", Data: []byte(`{"msg":"x"}`), Time: 42, Service: "cli"})
	if n := f.Nodes[0]; n.Start != 42 || n.Service != "cli" {
		t.Errorf("fallbacks: start %d service %q", n.Start, n.Service)
	}
}

func TestSeverity(t *testing.T) {
	cases := []struct {
		v    val
		zap  bool
		text string
		num  int
	}{
		{val{kind: kStr, s: "DEBUG"}, false, "DEBUG", 5},
		{val{kind: kStr, s: "INFO"}, false, "INFO", 9},
		{val{kind: kStr, s: "WARN"}, false, "WARN", 13},
		{val{kind: kStr, s: "ERROR"}, false, "ERROR", 17},
		{val{kind: kStr, s: "ERROR+2"}, false, "ERROR+2", 19},
		{val{kind: kStr, s: "DEBUG-4"}, false, "DEBUG-4", 1},
		{val{kind: kStr, s: "INFO+100"}, false, "INFO+100", 24},
		{val{kind: kStr, s: "dpanic"}, true, "dpanic", 21},
		{val{kind: kStr, s: "panic"}, true, "panic", 22},
		{val{kind: kStr, s: "fatal"}, true, "fatal", 23},
		{val{kind: kStr, s: "panic"}, false, "panic", 24},
		{val{kind: kStr, s: "fatal"}, false, "fatal", 21},
		{val{kind: kStr, s: "warning"}, false, "warning", 13},
		{val{kind: kStr, s: "trace"}, false, "trace", 1},
		{val{kind: kStr, s: "CRITICAL"}, false, "CRITICAL", 21},
		{val{kind: kStr, s: "verbose"}, false, "verbose", 5},
		{val{kind: kStr, s: "loud"}, false, "loud", 0},
		{val{kind: kNum, s: "10"}, false, "trace", 1},
		{val{kind: kNum, s: "20"}, false, "debug", 5},
		{val{kind: kNum, s: "30"}, false, "info", 9},
		{val{kind: kNum, s: "35"}, false, "info", 9},
		{val{kind: kNum, s: "40"}, false, "warn", 13},
		{val{kind: kNum, s: "50"}, false, "error", 17},
		{val{kind: kNum, s: "60"}, false, "fatal", 21},
		{val{kind: kStr, s: "50"}, false, "error", 17},
		{val{kind: kBool, b: true}, false, "", 0},
	}
	for _, tc := range cases {
		text, num := severity(tc.v, tc.zap)
		if text != tc.text || num != tc.num {
			t.Errorf("severity(%q, zap=%v) = %q %d, want %q %d", tc.v.s, tc.zap, text, num, tc.text, tc.num)
		}
	}
}

func TestParseTime(t *testing.T) {
	const base = 1714557600 // 2024-05-01T10:00:00Z
	cases := []struct {
		in   string
		kind kind
		want int64
	}{
		{"2024-05-01T10:00:00Z", kStr, base * 1e9},
		{"2024-05-01T10:00:00.123456789Z", kStr, base*1e9 + 123456789},
		{"2024-05-01T12:00:00+02:00", kStr, base * 1e9},
		{"2024-05-01T05:30:00.5-0430", kStr, base*1e9 + 5e8},
		{"2024-05-01 10:00:00,250", kStr, base*1e9 + 25e7},
		{"2024-05-01 10:00:00 UTC", kStr, base * 1e9},
		{"1714557600", kNum, base * 1e9},
		{"1714557600.484567", kNum, base*1e9 + 484567000},
		{"1714557600123", kNum, base*1e9 + 123e6},
		{"1714557600123456", kNum, base*1e9 + 123456e3},
		{"1714557600123456789", kNum, base*1e9 + 123456789},
		{"1714557600123", kStr, base*1e9 + 123e6},
		{"1.7145576e9", kNum, base * 1e9},
		{"0", kNum, 0},
		{"-5", kNum, 0},
		{"2024-13-01T10:00:00Z", kStr, 0},
		{"2024-05-01T10:00:00+25:00", kStr, 0},
		{"yesterday", kStr, 0},
		{"99999999999999999999", kNum, 0},
	}
	for _, tc := range cases {
		got, ok := parseTime(val{kind: tc.kind, s: tc.in})
		if got != tc.want || ok != (tc.want != 0) {
			t.Errorf("parseTime(%q) = %d %v, want %d", tc.in, got, ok, tc.want)
		}
	}
}

func TestDatadogIDs(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  string
		ok    bool
	}{
		{"1234567890123456789", 32, "0000000000000000112210f47de98115", true},
		{"1234567890123456789", 16, "112210f47de98115", true},
		{"18446744073709551615", 16, "ffffffffffffffff", true},
		{"1", 16, "0000000000000001", true},
		{"0", 16, "", true},
		{"18446744073709551616", 16, "", false},
		{"5b8efff798038103d269b633813fc60c", 32, "5b8efff798038103d269b633813fc60c", true},
		{"abc", 16, "", false},
	}
	for _, tc := range cases {
		got, ok := ddID(val{kind: kStr, s: tc.in}, tc.width)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ddID(%q, %d) = %q %v, want %q %v", tc.in, tc.width, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSplitFileLine(t *testing.T) {
	cases := []struct {
		in   string
		file string
		line int
	}{
		{"pkg/file.go:42", "pkg/file.go", 42},
		{"/a/b.js:3:9", "/a/b.js", 3},
		{`C:\src\x.go:7`, `C:\src\x.go`, 7},
		{"store.go", "store.go", 0},
		{"host:port:", "host:port:", 0},
	}
	for _, tc := range cases {
		if f, l := splitFileLine(tc.in); f != tc.file || l != tc.line {
			t.Errorf("splitFileLine(%q) = %q %d", tc.in, f, l)
		}
	}
}

func TestLogfmtValues(t *testing.T) {
	g := decodeString(t, &LogfmtDecoder{}, `level=error msg="a \"quoted\"\tvalue \u00e9\x41" flag url=/a?b=c n=42 f=1.5 z=007 b=true e= dd.trace_id=1234567890123456789 dd.span_id=987654321 caller=store.go:42`+"\r\n")
	n := events(g)[0]
	if n.Name != "a \"quoted\"\tvalue éA" || sevNum(n) != 17 {
		t.Errorf("name %q severity %d", n.Name, sevNum(n))
	}
	want := map[string]epg.Value{"flag": epg.Bool(true), "url": epg.String("/a?b=c"), "n": epg.Int(42),
		"f": epg.Float(1.5), "z": epg.String("007"), "b": epg.Bool(true), "e": epg.String("")}
	for k, w := range want {
		if v, _ := n.Attr(k); !v.Equal(w) {
			t.Errorf("%s = %v, want %v", k, v.AsString(), w.AsString())
		}
	}
	if n.Trace.TraceID != "0000000000000000112210f47de98115" || n.Trace.SpanID != "000000003ade68b1" {
		t.Errorf("dd trace %+v", n.Trace)
	}
	if n.Loc == nil || n.Loc.File != "store.go" || n.Loc.Line != 42 {
		t.Errorf("caller %+v", n.Loc)
	}
}

func TestTruncation(t *testing.T) {
	long := strings.Repeat("é", evidence.MaxValueLen)
	g := decodeString(t, &JSONDecoder{}, `{"msg":"`+long+`","sql":"`+long+`","arr":["`+long+`"]}`)
	n := events(g)[0]
	if len(n.Name) != maxNameLen || len(n.Attrs.Str("sql")) != evidence.MaxValueLen {
		t.Errorf("name %d bytes, sql %d bytes", len(n.Name), len(n.Attrs.Str("sql")))
	}
	if v, _ := n.Attr("sql" + evidence.TruncatedSuffix); v.IntVal() != int64(len(long)) {
		t.Errorf("truncation marker %v", v.AsString())
	}
	if v, _ := n.Attr("log.body" + evidence.TruncatedSuffix); v.IntVal() != int64(len(long)) {
		t.Errorf("body truncation marker %v", v.AsString())
	}
	if v, _ := n.Attr("arr"); !strings.HasSuffix(v.ArrayVal()[0].Str(), "…[clipped]") {
		t.Error("nested string not marked clipped")
	}
}

func TestSniff(t *testing.T) {
	js, lf := &JSONDecoder{}, &LogfmtDecoder{}
	for _, p := range fixtures(t) {
		data, _ := os.ReadFile(p)
		in := &evidence.Input{Name: p, Data: data}
		own, other := evidence.Decoder(js), evidence.Decoder(lf)
		if strings.HasSuffix(p, ".logfmt") {
			own, other = lf, js
		}
		if c := own.Sniff(in); c != evidence.Certain {
			t.Errorf("%s: %s sniffs %d, want Certain", p, own.Format(), c)
		}
		if c := other.Sniff(in); c != evidence.No {
			t.Errorf("%s: %s sniffs %d, want No", p, other.Format(), c)
		}
	}
	var others []string
	for _, g := range []string{"../stacktrace/testdata/*.txt", "../otlp/testdata/*.json", "../jaeger/testdata/*.json",
		"../zipkin/testdata/*.json", "../otlp/testdata/conformance/*", "../jaeger/testdata/conformance/*"} {
		ps, _ := filepath.Glob(g)
		others = append(others, ps...)
	}
	if len(others) < 10 {
		t.Fatalf("only %d other artifacts found", len(others))
	}
	for _, p := range others {
		data, _ := os.ReadFile(p)
		in := &evidence.Input{Name: p, Data: data}
		if c := js.Sniff(in); c != evidence.No {
			t.Errorf("%s: json-log sniffs %d", p, c)
		}
		if c := lf.Sniff(in); c != evidence.No {
			t.Errorf("%s: logfmt sniffs %d", p, c)
		}
	}
	for _, s := range []string{
		`{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]}]}`,
		`{"data":[{"traceID":"1","spans":[]}]}`,
		"\"main\" #1 prio=5 os_prio=0 cpu=1ms tid=0x1 nid=0x2 runnable\n   java.lang.Thread.State: RUNNABLE\n",
		"name=x\n",
		"",
	} {
		in := &evidence.Input{Name: "x", Data: []byte(s)}
		if js.Sniff(in) != evidence.No || lf.Sniff(in) != evidence.No {
			t.Errorf("%.40q sniffed as a log", s)
		}
	}
	if c := js.Sniff(&evidence.Input{Data: []byte(`{"msg":"x","level":"info"}`)}); c != evidence.Likely {
		t.Errorf("one line sniffs %d, want Likely", c)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name      string
		d         evidence.Decoder
		in        string
		line, col int
		want      string
	}{
		{"not JSON", &JSONDecoder{}, "{\"msg\":\"a\"}\n\npanic: boom\n", 3, 1, "expected a JSON object"},
		{"truncated", &JSONDecoder{}, "{\"msg\":\"a\"}\n{\"msg\":\"b\"", 2, 11, "truncated JSON"},
		{"bad value", &JSONDecoder{}, "{\"msg\":\"a\"}\r\n{\"msg\": ?}\r\n", 2, 9, "expected a value"},
		{"trailing", &JSONDecoder{}, "{\"msg\":\"a\"} x\n", 1, 13, "after the JSON object"},
		{"array", &JSONDecoder{}, "[1,2]\n", 1, 1, "expected a JSON object"},
		{"bad escape", &JSONDecoder{}, `{"msg":"a\q"}`, 1, 11, "invalid escape"},
		{"control char", &JSONDecoder{}, "{\"msg\":\"a\x01\"}", 1, 10, "control character"},
		{"bad number", &JSONDecoder{}, `{"n":01}`, 1, 7, "',' or '}'"},
		{"deep", &JSONDecoder{}, "{\"msg\":\"ok\"}\n{\"a\":" + strings.Repeat("[", 300) + "\n", 2, 6 + 255, "nested deeper"},
		{"logfmt quote", &LogfmtDecoder{}, "level=info msg=ok\nlevel=info msg=\"open\n", 2, 16, "unterminated quoted value"},
		{"logfmt escape", &LogfmtDecoder{}, `level=info msg="a\qb"`, 1, 18, "invalid escape"},
		{"logfmt no pairs", &LogfmtDecoder{}, "level=info msg=ok\ngoroutine 1 [running]:\n", 2, 1, "no key=value pair"},
		{"logfmt empty key", &LogfmtDecoder{}, "level=info =x", 1, 12, "'=' without a key"},
		{"logfmt quote in key", &LogfmtDecoder{}, `level=info a"b=c`, 1, 13, `'"' in a key`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.d.Decode(context.Background(), &evidence.Input{Name: "bad.log", Data: []byte(tc.in)})
			var ee *evidence.Error
			if !errors.As(err, &ee) || f != nil {
				t.Fatalf("error %v (%T), fragment %v", err, err, f)
			}
			if !errors.Is(err, evidence.ErrBadInput) || !strings.Contains(ee.Msg, tc.want) || ee.File != "bad.log" {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
			if ee.Line != tc.line || ee.Column != tc.col {
				t.Errorf("at %d:%d, want %d:%d (%v)", ee.Line, ee.Column, tc.line, tc.col, err)
			}
			if l, c := evidence.LineCol([]byte(tc.in), ee.Offset); l != ee.Line || c != ee.Column {
				t.Errorf("offset %d is %d:%d, not %d:%d", ee.Offset, l, c, ee.Line, ee.Column)
			}
		})
	}
}
