package causality

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/jaeger"
	"github.com/tagdebug/tag/internal/evidence/otlp"
	"github.com/tagdebug/tag/internal/evidence/zipkin"
)

const skewHand = "internal/evidence/zipkin/testdata/skew_hand.json"

// Span node IDs of the hand-made Zipkin skew trace.
const (
	handTrace   = "0000000000000000000000000000abcd"
	root        = "span:" + handTrace + ":0000000000000001"
	callBackend = "span:" + handTrace + ":0000000000000002"
	serve       = "span:" + handTrace + ":0000000000000002/server"
	work        = "span:" + handTrace + ":0000000000000003"
	callDB      = "span:" + handTrace + ":0000000000000004"
	query       = "span:" + handTrace + ":0000000000000004/server"
	callCache   = "span:" + handTrace + ":0000000000000005"
	cacheGet    = "span:" + handTrace + ":0000000000000005/server"
	cacheMiss   = serve + "/annotation/0"
)

// fragment decodes a trace file (relative to the repository root, or
// absolute) with the decoder that claims it.
func fragment(t testing.TB, path string) *epg.Fragment {
	t.Helper()
	if !filepath.IsAbs(path) {
		path = filepath.Join(evidencetest.RepoRoot(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: filepath.Base(path), Data: data}
	d, err := evidence.Detect(in, []evidence.Decoder{otlp.JSONDecoder{}, &jaeger.Decoder{}, &zipkin.Decoder{}})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f, err := d.Decode(context.Background(), in)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return f
}

func load(t testing.TB, path string) *epg.Graph { return evidencetest.Build(fragment(t, path)) }

// without builds the fragment's graph minus the named spans (and what
// they emit), as if sampling had dropped them.
func without(f *epg.Fragment, ids ...string) *epg.Graph {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	b := epg.NewBuilder()
	for _, n := range f.Nodes {
		if !drop[n.ID] {
			b.AddNode(n)
		}
	}
	for _, e := range f.Edges {
		b.AddEdge(e)
	}
	b.Add(&epg.Fragment{Skews: f.Skews})
	return b.Build()
}

// sharedCorpus returns a file of the shared conformance corpus, skipping
// the test when the corpus is absent.
func sharedCorpus(t *testing.T, sub, name string) string {
	t.Helper()
	p := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", sub, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("conformance corpus: %v", err)
	}
	return p
}
