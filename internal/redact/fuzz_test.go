package redact

import (
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyYAML())
	f.Add([]byte("attributes:\n  - {match: '*', action: truncate, length: 3}\nservices:\n  a: {pii: {ip: allow}}\n"))
	f.Add([]byte("attributes: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.yaml", data)
		if err != nil {
			return
		}
		if p.Version() == "" {
			t.Fatal("parsed policy without a version")
		}
		if _, err := New(p, []byte("0123456789abcdef")); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRedact(f *testing.F) {
	for _, p := range redacttest.NewGen(1).Secrets() {
		f.Add(p.Phrase)
	}
	for _, l := range redacttest.NewGen(2).Benign(20) {
		f.Add(l)
	}
	e, err := New(nil, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := e.RedactText(s)
		if again := e.RedactText(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
		frag := &epg.Fragment{Nodes: []epg.Node{{ID: "n", Name: s, Attrs: epg.Attrs{
			{Key: "db.statement", Value: epg.String(s)}, {Key: "http.request.body", Value: epg.String(s)},
			{Key: "log.body", Value: epg.String(s)}, {Key: "url.full", Value: epg.String(s)}}}}}
		if err := e.Redact(frag); err != nil {
			t.Fatal(err)
		}
	})
}
