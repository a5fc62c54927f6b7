package redact

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

// MaxExpansion bounds growth: each replaced value becomes at most this
// many bytes longer than it was (a token is ≤ 45 bytes, a JWT rendering
// ≤ 160 and a JWT is ≥ 24), so len(out) ≤ len(in) + MaxExpansion·k for k
// replacements, and k ≤ len(in)/3 since no replaced value is shorter
// than three bytes.
const maxExpansion = 160

// textGen mixes planted secrets and PII, benign log text and random
// bytes, joined by separators that occur in logs.
func textGen() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		g := redacttest.NewGen(rapid.Uint64().Draw(t, "seed"))
		secrets := g.Secrets()
		pii := g.PII()
		benign := g.Benign(40)
		n := rapid.IntRange(1, 8).Draw(t, "parts")
		var parts []string
		for range n {
			switch rapid.IntRange(0, 3).Draw(t, "kind") {
			case 0:
				parts = append(parts, secrets[rapid.IntRange(0, len(secrets)-1).Draw(t, "secret")].Phrase)
			case 1:
				parts = append(parts, pii[rapid.IntRange(0, len(pii)-1).Draw(t, "pii")].Phrase)
			case 2:
				parts = append(parts, benign[rapid.IntRange(0, len(benign)-1).Draw(t, "benign")])
			default:
				parts = append(parts, rapid.StringN(0, 40, -1).Draw(t, "noise"))
			}
		}
		return strings.Join(parts, rapid.SampledFrom([]string{" ", "\n", ", ", "=", "\t", ""}).Draw(t, "sep"))
	})
}

func TestPropertyRedactText(t *testing.T) {
	e := testEngine(t)
	d := DefaultDetector()
	rapid.Check(t, func(t *rapid.T) {
		in := textGen().Draw(t, "text")
		out := e.RedactText(in)
		if again := e.RedactText(out); again != out {
			t.Fatalf("not idempotent:\n in:  %q\n out: %q\n out2: %q", in, out, again)
		}
		if fs := d.Find(out); len(fs) > 0 {
			t.Fatalf("detected after redaction: %s %q in %q", fs[0].Rule, out[fs[0].Start:fs[0].End], out)
		}
		k := len(d.Find(in))
		if len(out) > len(in)+maxExpansion*k || k > len(in)/3+1 {
			t.Fatalf("grew from %d to %d bytes with %d replacements", len(in), len(out), k)
		}
	})
}

func TestPropertyRedactFragment(t *testing.T) {
	e := testEngine(t)
	rapid.Check(t, func(t *rapid.T) {
		keys := []string{"log.body", "exception.message", "exception.stacktrace", "url.full", "db.statement",
			"http.request.header.authorization", "http.request.body", "user.email", "app.note", "password"}
		f := &epg.Fragment{}
		for i := range rapid.IntRange(1, 4).Draw(t, "nodes") {
			var as epg.Attrs
			for _, k := range keys {
				if rapid.Bool().Draw(t, "has "+k) {
					as = as.Set(k, epg.String(textGen().Draw(t, k)))
				}
			}
			f.Nodes = append(f.Nodes, epg.Node{ID: "n" + string(rune('a'+i)), Name: textGen().Draw(t, "name"), Service: "svc", Attrs: as})
		}
		if err := e.Redact(f); err != nil {
			t.Fatal(err)
		}
		once := cloneFragment(f)
		if err := e.Redact(f); err != nil {
			t.Fatal(err)
		}
		for i := range f.Nodes {
			a, b := once.Nodes[i], f.Nodes[i]
			if a.Name != b.Name || len(a.Attrs) != len(b.Attrs) {
				t.Fatalf("not idempotent: %+v vs %+v", a, b)
			}
			for j := len(a.Attrs) - 1; j >= 0; j-- { // tag.* last: they follow the others
				if a.Attrs[j].Key != b.Attrs[j].Key || !a.Attrs[j].Value.Equal(b.Attrs[j].Value) {
					t.Fatalf("attr %s not idempotent: %q vs %q", a.Attrs[j].Key, a.Attrs[j].Value.AsString(), b.Attrs[j].Value.AsString())
				}
			}
			for _, a := range b.Attrs {
				if fs := e.det.Find(a.Value.AsString()); len(fs) > 0 {
					t.Fatalf("%s still holds %s", a.Key, fs[0].Rule)
				}
			}
		}
	})
}
