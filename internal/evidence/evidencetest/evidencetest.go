// Package evidencetest holds the test helpers every decoder shares: golden
// files (input → EPG JSON, regenerated with `go test ./... -update`), the
// shared conformance corpus, and fuzz seeding.
package evidencetest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Decode runs d over the file at path and fails the test on error.
func Decode(t testing.TB, d evidence.Decoder, path string) *epg.Fragment {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := d.Decode(context.Background(), &evidence.Input{Name: filepath.Base(path), Data: data})
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return f
}

// GraphJSON builds the fragment into a graph and renders its JSON view,
// indented, as golden files hold it.
func GraphJSON(t testing.TB, f *epg.Fragment) []byte {
	t.Helper()
	b := epg.NewBuilder()
	b.Add(f)
	out, err := json.MarshalIndent(b.Build(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// Golden decodes input with d and compares the graph's JSON view with the
// golden file (written instead when -update is set).
func Golden(t *testing.T, d evidence.Decoder, input, golden string) *epg.Fragment {
	t.Helper()
	f := Decode(t, d, input)
	got := GraphJSON(t, f)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: EPG differs from %s (run go test -update and review the diff)", input, golden)
	}
	return f
}

// ConformanceDir returns ../shared/conformance/<sub> relative to the
// repository root, skipping the test when it is absent.
func ConformanceDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join(RepoRoot(), "..", "shared", "conformance", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance corpus %s not present", dir)
	}
	return dir
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// SeedFuzz adds every file matching the globs (relative to the test's
// directory or absolute) to f's corpus; missing conformance files are
// skipped silently.
func SeedFuzz(f *testing.F, globs ...string) {
	for _, g := range globs {
		paths, _ := filepath.Glob(g)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzDecode is the body of every decoder's fuzz target: decoding must not
// panic, errors must be positioned *evidence.Error values, and whatever
// decodes must build into a graph and encode.
func FuzzDecode(t *testing.T, d evidence.Decoder, data []byte) {
	f, err := d.Decode(context.Background(), &evidence.Input{Name: "fuzz", Data: data})
	if err != nil {
		var ee *evidence.Error
		if !errorsAs(err, &ee) {
			t.Fatalf("error is not an *evidence.Error: %T %v", err, err)
		}
		return
	}
	b := epg.NewBuilder()
	b.Add(f)
	g := b.Build()
	if _, err := json.Marshal(g); err != nil {
		t.Fatalf("JSON view: %v", err)
	}
	if _, err := epg.MarshalFragment(f); err != nil {
		t.Fatalf("protobuf: %v", err)
	}
}

// Inputs lists the *.json inputs in dir (golden files excluded), failing
// when there are none.
func Inputs(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".golden.json") {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no inputs in %s", dir)
	}
	return out
}

// GoldenDir runs Golden for every input in dir, with golden files named
// <input>.golden.json in goldenDir.
func GoldenDir(t *testing.T, d evidence.Decoder, dir, goldenDir string) {
	for _, p := range Inputs(t, dir) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			Golden(t, d, p, filepath.Join(goldenDir, strings.TrimSuffix(filepath.Base(p), ".json")+".golden.json"))
		})
	}
}

// Build merges one fragment into a graph.
func Build(f *epg.Fragment) *epg.Graph {
	b := epg.NewBuilder()
	b.Add(f)
	return b.Build()
}

// Node returns the node with the given ID, failing the test when absent.
func Node(t testing.TB, g *epg.Graph, id string) *epg.Node {
	t.Helper()
	i, ok := g.Lookup(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return g.Node(i)
}

// HasEdge reports whether g has an edge of kind from → to (by node ID).
func HasEdge(g *epg.Graph, from, to string, kind epg.EdgeKind) bool {
	i, ok := g.Lookup(from)
	if !ok {
		return false
	}
	for _, e := range g.Out(i) {
		_, j := g.Ends(e)
		if g.Edge(e).Kind == kind && g.Node(j).ID == to {
			return true
		}
	}
	return false
}
