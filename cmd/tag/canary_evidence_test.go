package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"runtime/trace"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// The canary evidence: one file per decoder, each carrying every planted
// secret and PII value wherever that format carries free text — span and
// resource attributes, status messages, exception messages and stacks,
// URLs, headers, log bodies and fields, thread names, panic values, file
// paths, profile labels and execution-trace logs. Values are generated at
// test time (redacttest), never stored in the repository.

// canaryFile is one evidence file and the decoder that must take it.
type canaryFile struct {
	name, format string
	data         []byte
}

// oneLine keeps plants whose phrase fits on one line, for text formats
// where a line break would end the record.
func oneLine(ps []redacttest.Plant) []redacttest.Plant {
	var out []redacttest.Plant
	for _, p := range ps {
		if !strings.ContainsAny(p.Phrase, "\n\r") {
			out = append(out, p)
		}
	}
	return out
}

func canaryTraceID(i int) pcommon.TraceID {
	return pcommon.TraceID{0xca, 0x7a, 0x12, byte(i >> 8), byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
}

func canarySpanID(i, j int) pcommon.SpanID {
	return pcommon.SpanID{0x5a, byte(i >> 8), byte(i), byte(j), 1, 2, 3, 4}
}

// canaryTraces is one failing trace per plant: the phrase in an attribute
// of each context, the status message, an exception event and a request
// header, under a resource whose attributes carry it too.
func canaryTraces(ps []redacttest.Plant, base int64) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "payments")
	rs.Resource().Attributes().PutStr("deployment.note", ps[0].Phrase)
	ss := rs.ScopeSpans().AppendEmpty()
	for i, p := range ps {
		c := redacttest.Contexts[i%len(redacttest.Contexts)]
		root := ss.Spans().AppendEmpty()
		root.SetTraceID(canaryTraceID(i))
		root.SetSpanID(canarySpanID(i, 0))
		root.SetName("POST /charge")
		root.SetKind(ptrace.SpanKindServer)
		start := base + int64(i)*1e9
		root.SetStartTimestamp(pcommon.Timestamp(start))
		root.SetEndTimestamp(pcommon.Timestamp(start + 40e6))
		root.Attributes().PutStr("http.route", "/charge")
		root.Attributes().PutStr(c.Key, c.Wrap(p.Phrase))
		root.Attributes().PutStr("url.full", "https://api.partner.io/v2/charge?note="+p.Phrase)
		root.Attributes().PutStr("http.request.header.authorization", "Bearer "+p.Secret)
		root.Status().SetCode(ptrace.StatusCodeError)
		root.Status().SetMessage("charge failed: " + p.Phrase)
		ev := root.Events().AppendEmpty()
		ev.SetName("exception")
		ev.SetTimestamp(pcommon.Timestamp(start + 30e6))
		ev.Attributes().PutStr("exception.type", "java.lang.IllegalStateException")
		ev.Attributes().PutStr("exception.message", "cannot authenticate with "+p.Phrase)
		ev.Attributes().PutStr("exception.stacktrace", "java.lang.IllegalStateException: cannot authenticate with "+p.Phrase+
			"\n\tat com.acme.pay.Gateway.charge(Gateway.java:88)\n\tat com.acme.pay.Api.post(Api.java:41)\n")
		child := ss.Spans().AppendEmpty()
		child.SetTraceID(canaryTraceID(i))
		child.SetSpanID(canarySpanID(i, 1))
		child.SetParentSpanID(canarySpanID(i, 0))
		child.SetName("SELECT payments")
		child.SetKind(ptrace.SpanKindClient)
		child.SetStartTimestamp(pcommon.Timestamp(start + 5e6))
		child.SetEndTimestamp(pcommon.Timestamp(start + 25e6))
		child.Attributes().PutStr("db.query.text", "SELECT * FROM cards WHERE token = '"+p.Secret+"'")
		child.Attributes().PutStr("user.email", p.Secret)
	}
	return td
}

// canaryLogs is one error log record per plant, correlated to its trace.
func canaryLogs(ps []redacttest.Plant, base int64) plog.Logs {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "payments")
	sl := rl.ScopeLogs().AppendEmpty()
	for i, p := range ps {
		lr := sl.LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.Timestamp(base + int64(i)*1e9 + 20e6))
		lr.SetSeverityNumber(plog.SeverityNumberError)
		lr.SetSeverityText("ERROR")
		lr.SetTraceID(canaryTraceID(i))
		lr.SetSpanID(canarySpanID(i, 0))
		lr.Body().SetStr(redacttest.Contexts[1].Wrap(p.Phrase))
		lr.Attributes().PutStr("client.config", p.Phrase)
		lr.Attributes().PutStr("password", p.Secret)
	}
	return ld
}

func canaryJaeger(t *testing.T, ps []redacttest.Plant) []byte {
	type kv struct {
		Key   string `json:"key"`
		Type  string `json:"type"`
		Value any    `json:"value"`
	}
	var spans []map[string]any
	for i, p := range ps {
		id := fmt.Sprintf("%016x", 0xaa00000000000000+uint64(i))
		spans = append(spans, map[string]any{
			"traceID": fmt.Sprintf("4bf92f3577b34da6a3ce929d%08x", i), "spanID": id[:16], "operationName": "GET /profile",
			"references": []any{}, "startTime": 1700000000000000 + i*1000000, "duration": 250000, "processID": "p1",
			"tags": []kv{{"span.kind", "string", "server"}, {"error", "bool", true},
				{"http.url", "string", "https://app.example.net/profile?token=" + p.Secret},
				{"otel.status_description", "string", "lookup failed: " + p.Phrase},
				{"app.detail", "string", p.Phrase}},
			"logs": []map[string]any{{"timestamp": 1700000000001000 + i*1000000, "fields": []kv{
				{"event", "string", "error"}, {"message", "string", "upstream said " + p.Phrase}}}},
		})
	}
	doc := map[string]any{"data": []any{map[string]any{
		"traceID": "4bf92f3577b34da6a3ce929d00000000", "spans": spans,
		"processes": map[string]any{"p1": map[string]any{"serviceName": "profile",
			"tags": []kv{{"hostname", "string", "web-1"}, {"deploy.note", "string", ps[0].Phrase}}}},
	}}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func canaryZipkin(t *testing.T, ps []redacttest.Plant) []byte {
	var spans []map[string]any
	for i, p := range ps {
		spans = append(spans, map[string]any{
			"traceId": fmt.Sprintf("5b8efff798038103d269b633%08x", i), "id": fmt.Sprintf("ee%014x", i),
			"kind": "SERVER", "name": "post /login", "timestamp": 1700000000000000 + i*1000000, "duration": 50000,
			"localEndpoint": map[string]any{"serviceName": "auth", "ipv4": "10.0.0.1", "port": 8080},
			"tags": map[string]any{"http.method": "POST", "http.path": "/login", "error": "login rejected: " + p.Phrase,
				"http.url": "https://auth.example.net/login?api_key=" + p.Secret},
			"annotations": []map[string]any{{"timestamp": 1700000000000100 + i*1000000, "value": "retrying with " + p.Phrase}},
		})
	}
	b, err := json.Marshal(spans)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// canaryPprof is a goroutine profile whose stacks carry the plants as
// pprof labels, as request-scoped labels do in production.
func canaryPprof(t *testing.T, ps []redacttest.Plant) []byte {
	fn := &profile.Function{ID: 1, Name: "main.(*Server).handle", SystemName: "main.(*Server).handle", Filename: "/src/app/server.go"}
	fn2 := &profile.Function{ID: 2, Name: "runtime.gopark", SystemName: "runtime.gopark", Filename: "/usr/local/go/src/runtime/proc.go"}
	loc := &profile.Location{ID: 1, Address: 0x1000, Line: []profile.Line{{Function: fn, Line: 42}}}
	loc2 := &profile.Location{ID: 2, Address: 0x2000, Line: []profile.Line{{Function: fn2, Line: 400}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "goroutine", Unit: "count"}},
		PeriodType: &profile.ValueType{Type: "goroutine", Unit: "count"}, Period: 1,
		Function: []*profile.Function{fn, fn2}, Location: []*profile.Location{loc, loc2},
	}
	for _, pl := range ps {
		p.Sample = append(p.Sample, &profile.Sample{Location: []*profile.Location{loc2, loc}, Value: []int64{1},
			Label: map[string][]string{"request": {pl.Phrase}, "customer_email": {pl.Secret}}})
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// canaryExecTrace records a real execution trace of this process in which
// a task logs every plant, as trace.Log calls with request data do.
func canaryExecTrace(t *testing.T, ps []redacttest.Plant) []byte {
	var b bytes.Buffer
	if err := trace.Start(&b); err != nil {
		t.Skipf("execution tracing unavailable: %v", err)
	}
	ctx, task := trace.NewTask(context.Background(), "charge")
	for _, p := range ps {
		trace.Log(ctx, "request", p.Phrase)
	}
	task.End()
	trace.Stop()
	return b.Bytes()
}

// canaryHome is a user's home directory named after planted PII, as build
// paths in stacks often are.
func canaryHome(ps []redacttest.Plant) string {
	for _, p := range ps {
		if p.Provider == "email" {
			return "/home/" + p.Secret
		}
	}
	return "/home/dev"
}

func canaryGoPanic(ps []redacttest.Plant, pii []redacttest.Plant) []byte {
	var b strings.Builder
	b.WriteString("panic: cannot connect: " + ps[0].Phrase + "\n\n")
	home := canaryHome(pii)
	for i, p := range ps {
		fmt.Fprintf(&b, "goroutine %d [chan receive, 3 minutes]:\nmain.worker(%q)\n\t%s/src/app/worker.go:%d +0x1d\ncreated by main.main in goroutine 1\n\t%s/src/app/main.go:12 +0x2a\n\n",
			i+1, p.Phrase, home, 20+i, home)
	}
	b.WriteString("exit status 2\n")
	return []byte(b.String())
}

func canaryRace(pii []redacttest.Plant) []byte {
	home := canaryHome(pii)
	return []byte(fmt.Sprintf(`==================
WARNING: DATA RACE
Read at 0x00c00009e008 by goroutine 8:
  main.(*Cache).Get()
      %[1]s/src/app/cache.go:27 +0x44
  main.main.func2()
      %[1]s/src/app/main.go:43 +0x91

Previous write at 0x00c00009e008 by goroutine 7:
  main.(*Cache).Put()
      %[1]s/src/app/cache.go:21 +0x5c
  main.main.func1()
      %[1]s/src/app/main.go:38 +0xae

Goroutine 8 (running) created at:
  main.main()
      %[1]s/src/app/main.go:40 +0x228

Goroutine 7 (finished) created at:
  main.main()
      %[1]s/src/app/main.go:35 +0x186
==================
`, home))
}

func canaryJVM(ps []redacttest.Plant) []byte {
	var b strings.Builder
	b.WriteString("2026-11-24 07:07:55\nFull thread dump OpenJDK 64-Bit Server VM (17.0.15+6-Debian-1deb12u1 mixed mode, sharing):\n\n")
	for i, p := range ps {
		// Servers rename worker threads after the request they serve.
		fmt.Fprintf(&b, "\"http-nio-8080-exec-%d %s\" #%d daemon prio=5 os_prio=0 cpu=1.00ms elapsed=3.00s tid=0x00007f47100%05x nid=0x%x waiting on condition  [0x00007f471771e000]\n"+
			"   java.lang.Thread.State: WAITING (parking)\n\tat jdk.internal.misc.Unsafe.park(java.base@17.0.15/Native Method)\n\tat com.acme.pay.Gateway.charge(Gateway.java:88)\n\n",
			i, strings.ReplaceAll(p.Phrase, `"`, `'`), 30+i, i, 0x5000+i)
	}
	return []byte(b.String())
}

func canaryCrash(ps []redacttest.Plant) []byte {
	var b strings.Builder
	for i, p := range ps {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "Exception in thread \"main\" java.lang.IllegalStateException: cannot authenticate with %s\n\tat com.acme.pay.Gateway.charge(Gateway.java:88)\n\tat com.acme.pay.Main.main(Main.java:12)\n\n", p.Phrase)
		case 1:
			fmt.Fprintf(&b, "Traceback (most recent call last):\n  File \"/srv/app/client.py\", line 88, in call\n    resp = session.post(url)\nRuntimeError: request rejected for %s\n\n", p.Phrase)
		default:
			fmt.Fprintf(&b, "/srv/app/index.js:12\n    throw new Error(\"token refused\");\n\nError: upstream refused %s\n    at charge (/srv/app/index.js:12:11)\n    at main (/srv/app/index.js:20:3)\n\n", p.Phrase)
		}
	}
	return []byte(b.String())
}

func canaryJSONLog(t *testing.T, ps []redacttest.Plant) []byte {
	var b bytes.Buffer
	for i, p := range ps {
		line, err := json.Marshal(map[string]any{
			"time": fmt.Sprintf("2026-11-24T06:53:%02d.106661787Z", i%60), "level": "ERROR",
			"msg": "upstream call failed: " + p.Phrase, "service": "payments", "password": p.Secret,
			"trace_id": fmt.Sprintf("4bf92f3577b34da6a3ce929d%08x", i), "span_id": "00f067aa0ba902b7",
			"req": map[string]any{"headers": map[string]any{"authorization": "Bearer " + p.Secret}},
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func canaryLogfmt(ps []redacttest.Plant) []byte {
	var b strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&b, "time=2026-11-24T06:53:%02d.179Z level=ERROR msg=%q service=payments client_secret=%q trace_id=4bf92f3577b34da6a3ce929d%08x\n",
			i%60, "upstream call failed: "+p.Phrase, p.Secret, i)
	}
	return []byte(b.String())
}

// canaryCapsule is a capture-SDK capsule whose request, headers, panic,
// config, outbound call and goroutine dump carry the plants (as if the
// service's edge policy had let them through).
func canaryCapsule(t *testing.T, ps []redacttest.Plant) []byte {
	var dump strings.Builder
	dump.WriteString("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n\n")
	c := &capsule.Capsule{ID: "canary", Service: "payments", Route: "POST /pay", Promoted: capsule.PromotedPanic,
		Start: 1_763_900_000_000_000_000, Duration: 1_000_000, Config: map[string]string{},
		Request: capsule.Request{Method: "POST", Path: "/pay", Header: map[string][]string{}, BodyKept: true}}
	body := map[string]string{}
	var stack strings.Builder
	for i, p := range ps {
		key := fmt.Sprintf("f%d", i)
		switch i % 4 {
		case 0:
			body[key] = p.Phrase
		case 1:
			c.Request.Header[fmt.Sprintf("X-Note-%d", i)] = []string{p.Phrase}
		case 2:
			c.Config["client_secret_"+key] = p.Secret // a bare value: only the nested key gives it away
		case 3:
			c.Outbound = append(c.Outbound, capsule.Call{Method: "POST", URL: "https://api.example.test/v1?api_key=" + url.QueryEscape(p.Secret),
				Status: 200, Body: p.Phrase, BodyKept: true, RequestDigest: "00"})
		}
		fmt.Fprintf(&stack, "main.handle({0x%x})\n\t/src/%s.go:%d +0x1\n", i, "h", i+1)
		fmt.Fprintf(&dump, "goroutine %d [chan receive]:\nmain.worker(%q)\n\t/src/w.go:%d +0x1\n\n", i+2, p.Phrase, i+1)
	}
	b, _ := json.Marshal(body)
	c.Request.Body = string(b)
	c.Panic = &capsule.Panic{Type: "string", Value: "charge failed: " + ps[0].Phrase, Stack: "goroutine 7 [running]:\n" + stack.String()}
	c.Attachments = []capsule.Attachment{{Kind: capsule.AttachGoroutines, Data: []byte(dump.String())}}
	data, err := capsule.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// canaryEvidence builds the file of every format.
func canaryEvidence(t *testing.T, plants, pii []redacttest.Plant) []canaryFile {
	lines := oneLine(plants)
	const base = int64(1_763_900_000_000_000_000)
	tracesJSON, err := (&ptrace.JSONMarshaler{}).MarshalTraces(canaryTraces(plants, base))
	if err != nil {
		t.Fatal(err)
	}
	logsProto, err := (&plog.ProtoMarshaler{}).MarshalLogs(canaryLogs(plants, base))
	if err != nil {
		t.Fatal(err)
	}
	return []canaryFile{
		{"traces.otlp.json", "otlp-json", tracesJSON},
		{"logs.otlp.pb", "otlp-proto", logsProto},
		{"jaeger.json", "jaeger-json", canaryJaeger(t, plants)},
		{"zipkin.json", "zipkin-json", canaryZipkin(t, plants)},
		{"goroutine.pb.gz", "pprof", canaryPprof(t, plants)},
		{"exec.trace", "go-exectrace", canaryExecTrace(t, plants)},
		{"panic.txt", "go-dump", canaryGoPanic(lines, pii)},
		{"race.txt", "go-race", canaryRace(pii)},
		{"threads.txt", "jvm-threaddump", canaryJVM(lines)},
		{"crash.txt", "exception-text", canaryCrash(lines)},
		{"app.jsonl", "json-log", canaryJSONLog(t, plants)},
		{"app.logfmt", "logfmt", canaryLogfmt(lines)},
		{"capsule.json", "tag-capsule", canaryCapsule(t, lines)},
	}
}
