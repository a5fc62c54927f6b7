package stacktrace

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites the golden files. evidencetest defines the same flag,
// which is why this package does not import it.
var update = flag.Bool("update", false, "rewrite golden files")

// fixtures returns the captured stack texts in testdata, by name.
func fixtures(t testing.TB) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := make(map[string]string, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".txt")] = string(b)
	}
	return out
}

// golden is what a golden file holds: the parse result and its error.
type golden struct {
	Error string `json:"error,omitempty"`
	Trace *Trace `json:"trace"`
}

func encodeGolden(t *testing.T, g golden) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "<init>" and "<module>" readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGolden parses every fixture and compares the result with
// testdata/<name>.golden.json.
func TestGolden(t *testing.T) {
	for name, text := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			tr, err := Parse(text)
			g := golden{Trace: tr}
			if err != nil {
				g.Error = err.Error()
			}
			got := encodeGolden(t, g)
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from golden; run with -update and review the diff\ngot:\n%s", path, got)
			}
		})
	}
}
