package redact

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

// TestPropertyMemoChangesNothing: redacting a fragment with the
// position memo (Redact, on several goroutines once the fragment is large
// enough) gives exactly what redacting each node on its own, without a
// memo, gives. The nodes are drawn from small pools so positions repeat
// keys and values the way an OTLP batch does, with the traps a memo could
// fall into: the same value under a key the rules drop, a secret at a
// position that held a clean value, keys that are themselves e-mail
// addresses, and nodes of a service whose rules differ.
func TestPropertyMemoChangesNothing(t *testing.T) {
	pol := DefaultPolicy()
	pol.Services = map[string]Rules{"billing": {Attributes: []FieldRule{{Match: "app.note", Action: ActDrop}, {Match: "http.route", Action: ActHash}}}}
	e, err := New(pol, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		g := redacttest.NewGen(rapid.Uint64().Draw(t, "seed"))
		secrets, pii, benign := g.Secrets(), g.PII(), g.Benign(6)
		values := append([]string{"GET", "/cart/{id}", "checkout.internal", "Mozilla/5.0 (X11; Linux x86_64)"}, benign...)
		values = append(values, secrets[0].Phrase, secrets[len(secrets)/2].Phrase, pii[0].Phrase)
		keys := []string{"http.request.method", "http.route", "app.note", "password", "user.email",
			"http.request.header.authorization", "server.address", pii[0].Phrase + ".visits"}
		n := rapid.IntRange(1, 300).Draw(t, "nodes")
		f := &epg.Fragment{}
		for i := range n {
			var as epg.Attrs
			for j, k := range keys {
				if rapid.IntRange(0, 3).Draw(t, "skip") == 0 {
					continue
				}
				v := values[rapid.IntRange(0, len(values)-1).Draw(t, fmt.Sprint("value ", j))]
				as = append(as, epg.Attr{Key: k, Value: epg.String(v)})
			}
			svc := rapid.SampledFrom([]string{"checkout", "checkout", "checkout", "billing"}).Draw(t, "service")
			f.Nodes = append(f.Nodes, epg.Node{ID: fmt.Sprint("n", i), Kind: epg.KindEvent, Name: "op", Service: svc, Attrs: epg.SortAttrs(as)})
		}
		want := cloneFragment(f)
		for i := range want.Nodes {
			e.redactNode(&want.Nodes[i], nil, nil)
		}
		if err := e.Redact(f); err != nil {
			t.Fatal(err)
		}
		for i := range f.Nodes {
			got, w := f.Nodes[i].Attrs, want.Nodes[i].Attrs
			if len(got) != len(w) {
				t.Fatalf("node %d: %d attributes with the memo, %d without:\n%v\n%v", i, len(got), len(w), got, w)
			}
			for j := range got {
				if got[j].Key != w[j].Key || !got[j].Value.Equal(w[j].Value) {
					t.Fatalf("node %d attribute %d: %s=%q with the memo, %s=%q without", i, j,
						got[j].Key, got[j].Value.AsString(), w[j].Key, w[j].Value.AsString())
				}
			}
		}
	})
}
