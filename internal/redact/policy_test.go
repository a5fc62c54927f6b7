package redact

import (
	"errors"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
)

func engineFor(t *testing.T, yml string) *Engine {
	t.Helper()
	p, err := ParsePolicy("test.yaml", []byte(yml))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(p, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func redactOne(t *testing.T, e *Engine, service string, attrs epg.Attrs) *epg.Node {
	t.Helper()
	f := &epg.Fragment{Nodes: []epg.Node{{ID: "n1", Kind: epg.KindEvent, Service: service, Attrs: epg.SortAttrs(attrs)}}}
	if err := e.Redact(f); err != nil {
		t.Fatal(err)
	}
	if f.Nodes[0].Policy != e.Version() || f.Policy != e.Version() {
		t.Fatalf("policy stamp %q, want %q", f.Nodes[0].Policy, e.Version())
	}
	return &f.Nodes[0]
}

func TestPolicyActions(t *testing.T) {
	e := engineFor(t, `
attributes:
  - {match: "a.allow", action: allow}
  - {match: "a.drop", action: drop}
  - {match: "a.hash", action: hash}
  - {match: "a.tok*", action: tokenize}
  - {match: "a.trunc", action: truncate, length: 5}
  - {match: "a.schema", action: schema}
`)
	n := redactOne(t, e, "", epg.Attrs{
		{Key: "a.allow", Value: epg.String("plain words")},
		{Key: "a.drop", Value: epg.String("gone")},
		{Key: "a.hash", Value: epg.Int(42)},
		{Key: "a.token", Value: epg.String("alice")},
		{Key: "a.trunc", Value: epg.String("abcdefghij")},
		{Key: "a.schema", Value: epg.Map(epg.Attr{Key: "n", Value: epg.Int(7)}, epg.Attr{Key: "s", Value: epg.String("x")})},
	})
	check := func(key, want string) {
		t.Helper()
		if got := n.Attrs.Str(key); !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want prefix %q", key, got, want)
		}
	}
	check("a.allow", "plain words")
	if _, ok := n.Attr("a.drop"); ok {
		t.Error("a.drop survived")
	}
	check("a.hash", "<hash:")
	check("a.token", "<token:token:")
	check("a.trunc", "abcde…[truncated]")
	check("a.schema", `{"n":0,"s":"\u003cstring\u003e"}`) // AsString is JSON
}

func TestPolicyGlobsAndServiceOverride(t *testing.T) {
	e := engineFor(t, `
pii: {email: tokenize}
attributes:
  - {match: "*.secret_*", action: drop}
services:
  billing:
    pii: {email: allow}
    attributes:
      - {match: "customer.*", action: hash}
`)
	n := redactOne(t, e, "checkout", epg.Attrs{
		{Key: "app.secret_seed", Value: epg.String("x")},
		{Key: "customer.name", Value: epg.String("Ada")},
		{Key: "note", Value: epg.String("mail ada.lovelace@analytical.io")},
	})
	if _, ok := n.Attr("app.secret_seed"); ok {
		t.Error("glob *.secret_* did not drop")
	}
	if n.Attrs.Str("customer.name") != "Ada" {
		t.Error("billing override applied to checkout")
	}
	if strings.Contains(n.Attrs.Str("note"), "ada.lovelace") {
		t.Error("e-mail kept in checkout")
	}
	b := redactOne(t, e, "billing", epg.Attrs{
		{Key: "customer.name", Value: epg.String("Ada")},
		{Key: "note", Value: epg.String("mail ada.lovelace@analytical.io")},
	})
	if !strings.HasPrefix(b.Attrs.Str("customer.name"), "<hash:") {
		t.Errorf("billing customer.name = %q", b.Attrs.Str("customer.name"))
	}
	if !strings.Contains(b.Attrs.Str("note"), "ada.lovelace@analytical.io") {
		t.Error("billing allows e-mail, but it was replaced")
	}
}

func TestBodyDefaultDeny(t *testing.T) {
	e := testEngine(t)
	n := redactOne(t, e, "", epg.Attrs{
		{Key: "http.request.body", Value: epg.String(`{"id":"ord_1","status":"failed","card":{"holder":"Ada L","last4":"4242"},"items":[{"sku":"A1","qty":2}],"error":{"code":"E42"}}`)},
		{Key: "http.response.body", Value: epg.String("plain text response with details")},
		{Key: "log.body", Value: epg.String("log bodies are not bodies: kept")},
	})
	got := n.Attrs.Str("http.request.body")
	want := `{"card":{"holder":"<string>","last4":"<string>"},"error":{"code":"E42"},"id":"ord_1","items":[{"qty":0,"sku":"<string>"}],"status":"failed"}`
	if got != want {
		t.Errorf("request body\n got  %s\n want %s", got, want)
	}
	if s := n.Attrs.Str("http.response.body"); s != "<string>" {
		t.Errorf("non-JSON body = %q", s)
	}
	if s := n.Attrs.Str("log.body"); s != "log bodies are not bodies: kept" {
		t.Errorf("log.body = %q", s)
	}
}

func TestLogBodyPaths(t *testing.T) {
	e := engineFor(t, `
log_body:
  - {match: "body.user.email", action: tokenize}
  - {match: "body.*password*", action: drop}
`)
	body := epg.Map(
		epg.Attr{Key: "user", Value: epg.Map(epg.Attr{Key: "email", Value: epg.String("not-an-address")}, epg.Attr{Key: "password", Value: epg.String("pw")})},
		epg.Attr{Key: "msg", Value: epg.String("login")})
	n := redactOne(t, e, "", epg.Attrs{{Key: "log.body", Value: body}})
	v, _ := n.Attr("log.body")
	js, _ := v.MarshalJSON()
	if !strings.Contains(string(js), `"email":"\u003ctoken:email:`) || strings.Contains(string(js), "password") || !strings.Contains(string(js), `"msg":"login"`) {
		t.Errorf("log body = %s", js)
	}
}

func TestStructuredShapes(t *testing.T) {
	e := testEngine(t)
	jwt := "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJhdWQiOiJhcGkiLCJleHAiOjE3ODAwMDAwMDB9.c2lnbmF0dXJlc2lnbmF0dXJl"
	n := redactOne(t, e, "", epg.Attrs{
		{Key: "http.request.header.authorization", Value: epg.Array(epg.String("Bearer " + jwt))},
		{Key: "http.request.header.proxy-authorization", Value: epg.String("Basic dXNlcjpwYXNzd29yZA==")},
		{Key: "url.full", Value: epg.String("https://bob:hunter2@api.acme.io/v1/x?page=2&access_token=abc123def456&q=shoes#top")},
		{Key: "db.statement", Value: epg.String(`SELECT * FROM "users" WHERE email = 'a@b.io' AND age > 30 AND id = $1`)},
	})
	auth, _ := n.Attr("http.request.header.authorization")
	if got := auth.ArrayVal()[0].Str(); got != "Bearer <jwt alg=RS256 kid=k1 aud="+e.tok.token("aud", `"api"`)+" exp=2026-05-28T20:26:40Z>" {
		t.Errorf("authorization = %q", got)
	}
	if got := n.Attrs.Str("http.request.header.proxy-authorization"); !strings.HasPrefix(got, "Basic <token:") {
		t.Errorf("proxy-authorization = %q", got)
	}
	if got := n.Attrs.Str("url.full"); !strings.HasPrefix(got, "https://api.acme.io/v1/x?page=2&access_token=<token:") || !strings.HasSuffix(got, "&q=shoes#top") {
		t.Errorf("url = %q", got)
	}
	if got := n.Attrs.Str("db.statement"); got != `SELECT * FROM "users" WHERE email = ? AND age > ? AND id = $1` {
		t.Errorf("sql = %q", got)
	}
	if Sensitivity(n) != "secret" {
		t.Errorf("sensitivity = %q", Sensitivity(n))
	}
}

func TestPolicyErrorsArePositioned(t *testing.T) {
	cases := []struct{ yml, want string }{
		{"attributes:\n  - {match: x, action: redact}\n", "bad.yaml:2:24: attributes[0].action: unknown action \"redact\""},
		{"attributes:\n  - match: x\n    action: truncate\n", "bad.yaml:3:13: attributes[0]: truncate needs a length"},
		{"pii:\n  email: drop\n", "bad.yaml:2:10: pii.email: unknown PII action"},
		{"headerz: []\n", "bad.yaml:1:1: policy: unknown field \"headerz\""},
		{"services:\n  a:\n    urls: []\n", "bad.yaml:3:5: services.a: unknown field \"urls\""},
		{"attributes: [\n", "bad.yaml:"},
		{"version: 2\n", "bad.yaml:1:10: version: unsupported"},
	}
	for _, c := range cases {
		_, err := ParsePolicy("bad.yaml", []byte(c.yml))
		var pe *PolicyError
		if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want prefix %q", c.yml, err, c.want)
		}
	}
}

func TestPolicyVersion(t *testing.T) {
	a, _ := ParsePolicy("a", []byte("# comment\nattributes:\n  - {match: x, action: drop}\n"))
	b, _ := ParsePolicy("b", []byte("attributes: [{action: drop, match: x}]"))
	c, _ := ParsePolicy("c", []byte("attributes: [{action: hash, match: x}]"))
	if a.Version() != b.Version() || a.Version() == c.Version() || len(a.Version()) != 14 || !strings.HasPrefix(a.Version(), "p-") {
		t.Errorf("versions %s %s %s", a.Version(), b.Version(), c.Version())
	}
	if DefaultPolicy().Version() == "" {
		t.Error("default policy has no version")
	}
}

func TestDryRunDoesNotChangeInput(t *testing.T) {
	e := testEngine(t)
	f := &epg.Fragment{Nodes: []epg.Node{{ID: "n1", Name: "login for ada@analytical.io", Attrs: epg.Attrs{{Key: "password", Value: epg.String("hunter2")}}}}}
	changes := e.DryRun(f)
	if f.Nodes[0].Name != "login for ada@analytical.io" || len(f.Nodes[0].Attrs) != 1 {
		t.Fatal("dry run changed its input")
	}
	if len(changes) != 2 || changes[0].Key != "@name" || changes[0].Rule != "email" || changes[1].Action != "drop" {
		t.Fatalf("changes = %+v", changes)
	}
	var b strings.Builder
	if err := WriteDiff(&b, changes); err != nil || !strings.Contains(b.String(), "- @name  ad…io  (tokenize: email)") {
		t.Errorf("diff:\n%s", b.String())
	}
}

func TestForModel(t *testing.T) {
	e := testEngine(t)
	f := &epg.Fragment{Nodes: []epg.Node{{ID: "n1", Name: "ok", Attrs: epg.Attrs{
		{Key: "exception.message", Value: epg.String("auth failed for token ghp_" + strings.Repeat("aB3", 12))},
		{Key: "note", Value: epg.String("call +14155550132")},
		{Key: "status", Value: epg.String("error")},
	}}}}
	if err := e.Redact(f); err != nil {
		t.Fatal(err)
	}
	m := ForModel(f)
	n := &m.Nodes[0]
	if n.Attrs.Str("exception.message") != "<withheld:secret>" || n.Attrs.Str("note") != "<withheld:pii>" || n.Attrs.Str("status") != "error" {
		t.Errorf("model view attrs: %v", n.Attrs)
	}
	if f.Nodes[0].Attrs.Str("status") != "error" || strings.HasPrefix(f.Nodes[0].Attrs.Str("note"), "<withheld") {
		t.Error("ForModel changed its input")
	}
	k := ForModelWith(f, ModelView{KeepPII: true})
	if !strings.HasPrefix(k.Nodes[0].Attrs.Str("note"), "call <token:phone:") {
		t.Errorf("KeepPII note = %q", k.Nodes[0].Attrs.Str("note"))
	}
}
