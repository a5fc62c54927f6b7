package rewrite

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

func testEngine(t testing.TB) *redact.Engine {
	t.Helper()
	e, err := redact.New(nil, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestJSONKeepsShapeAndOrder checks that a copy differs from the input
// only where values changed: key order, untouched values and indentation
// survive, a dropped attribute disappears with its key.
func TestJSONKeepsShapeAndOrder(t *testing.T) {
	secret := redacttest.NewGen(1).Secrets()[2].Secret // a GitHub token
	in := "{\n  \"zeta\": 1,\n  \"alpha\": \"plain words\",\n  \"password\": \"" + secret + "\",\n  \"note\": \"token " + secret + " used\"\n}\n"
	out, err := Copy(testEngine(t), "json-log", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if strings.Contains(s, secret) {
		t.Fatalf("copy still has the secret:\n%s", s)
	}
	if strings.Contains(s, "password") {
		t.Errorf("dropped attribute kept its key:\n%s", s)
	}
	if !strings.Contains(s, "<token:") || strings.Index(s, "zeta") > strings.Index(s, "alpha") || !strings.Contains(s, "\n  \"alpha\": \"plain words\"") {
		t.Errorf("copy lost order, indentation or untouched values:\n%s", s)
	}
}

// TestNDJSONStaysOneRecordPerLine checks structured logs keep their
// one-document-per-line shape.
func TestNDJSONStaysOneRecordPerLine(t *testing.T) {
	in := `{"msg":"a","n":1}` + "\n" + `{"msg":"b","user.email":"jane.doe@corp-mail.com"}` + "\n"
	out, err := Copy(testEngine(t), "json-log", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `{"msg":"b","user.email":"<token:`) {
		t.Errorf("got %q", out)
	}
}

// TestOTLPAttributeRules checks OTLP KeyValue pairs are ruled by their
// key: a dropped pair leaves the list, a hashed int moves to stringValue
// so the copy is still valid OTLP.
func TestOTLPAttributeRules(t *testing.T) {
	td := ptrace.NewTraces()
	sp := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	sp.SetName("GET /x")
	sp.Attributes().PutStr("db.password", "hunter2hunter2")
	sp.Attributes().PutInt("user.id", 4242)
	sp.Attributes().PutStr("http.route", "/x")
	in, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Copy(testEngine(t), "otlp-json", in)
	if err != nil {
		t.Fatal(err)
	}
	back, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(out)
	if err != nil {
		t.Fatalf("copy is not OTLP JSON: %v\n%s", err, out)
	}
	attrs := back.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	if _, ok := attrs.Get("db.password"); ok {
		t.Error("db.password survived")
	}
	if v, ok := attrs.Get("user.id"); !ok || !strings.HasPrefix(v.AsString(), "<hash:") {
		t.Errorf("user.id = %v, want a hash", v.AsString())
	}
	if v, _ := attrs.Get("http.route"); v.AsString() != "/x" {
		t.Errorf("http.route = %q", v.AsString())
	}
}

// TestExecTraceRefused checks the one format that cannot be rewritten
// says so instead of writing something.
func TestExecTraceRefused(t *testing.T) {
	if _, err := Copy(testEngine(t), "go-exectrace", []byte("go 1.26 trace\x00")); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
}

// TestTextParagraphs checks dumps are redacted without losing lines.
func TestTextParagraphs(t *testing.T) {
	ps := redacttest.NewGen(3).Secrets()
	in := "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3\n\npanic: " + ps[0].Phrase + "\n\n" + ps[5].Phrase + "\n"
	out, err := Copy(testEngine(t), "go-dump", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), ps[0].Secret) || strings.Contains(string(out), ps[5].Secret) {
		t.Errorf("secret survived:\n%s", out)
	}
	if !strings.HasPrefix(string(out), "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3\n\npanic: <token:") {
		t.Errorf("structure changed:\n%s", out)
	}
}

// FuzzCopyJSON checks the JSON rewriter never panics, and that whatever
// it returns passes the egress detectors and is still JSON it can read.
func FuzzCopyJSON(f *testing.F) {
	f.Add([]byte(`{"key":"a","value":{"intValue":"3"}}`))
	f.Add([]byte(`[{"tags":{"http.url":"https://u:p@h/x?token=abc"}}]`))
	f.Add([]byte("{\"password\":1}\n{\"msg\":\"x\"}\n"))
	for _, p := range redacttest.NewGen(9).Secrets()[:10] {
		f.Add([]byte(`{"msg":"` + strings.ReplaceAll(p.Phrase, `"`, `\"`) + `"}`))
	}
	e := testEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Copy(e, "json-log", data)
		if err != nil {
			return
		}
		if _, err := parseJSONStream(out); err != nil {
			t.Fatalf("copy is not JSON: %v\n%s", err, out)
		}
	})
}
