package godump

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// fixtureFormat is the format each committed fixture must sniff as.
var fixtureFormat = map[string]string{
	"race_cache.txt":               FormatRace,
	"goker_etcd4876_data_race.txt": FormatRace,
}

// decodeFile detects and decodes one fixture the way tag ingest would,
// with the repository as source root so locks get source names.
func decodeFile(t testing.TB, path string) (*epg.Fragment, evidence.Decoder) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: filepath.Base(path), Data: data, SourceRoots: []string{evidencetest.RepoRoot()}}
	d, err := evidence.Detect(in, Decoders())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	want := fixtureFormat[filepath.Base(path)]
	if want == "" {
		want = FormatDump
	}
	if d.Format() != want {
		t.Errorf("%s sniffs as %s, want %s", path, d.Format(), want)
	}
	f, err := d.Decode(context.Background(), in)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return f, d
}

// txtInputs lists the *.txt artifacts in dir.
func txtInputs(t testing.TB, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no inputs in %s (%v)", dir, err)
	}
	return paths
}

// goldenDir compares the graph of every input in dir with
// <goldenDir>/<name>.golden.json, rewriting it under -update (the flag
// evidencetest registers).
func goldenDir(t *testing.T, dir, goldenDir string) {
	update := flag.Lookup("update").Value.String() == "true"
	for _, p := range txtInputs(t, dir) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, _ := decodeFile(t, p)
			got := evidencetest.GraphJSON(t, f)
			golden := filepath.Join(goldenDir, strings.TrimSuffix(filepath.Base(p), ".txt")+".golden.json")
			if update {
				if err := os.MkdirAll(goldenDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("EPG differs from %s (run go test -update and review the diff)", golden)
			}
		})
	}
}

func TestGolden(t *testing.T) { goldenDir(t, "testdata", "testdata") }

func TestConformance(t *testing.T) {
	goldenDir(t, evidencetest.ConformanceDir(t, "go-failures"), filepath.Join("testdata", "conformance"))
}
