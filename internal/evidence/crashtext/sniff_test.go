package crashtext

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

// glob lists files matching pattern, failing when there are none.
func glob(t *testing.T, pattern string) []string {
	t.Helper()
	ps, _ := filepath.Glob(pattern)
	if len(ps) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	return ps
}

func sniff(t *testing.T, path string) evidence.Confidence {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return (&Decoder{}).Sniff(&evidence.Input{Name: path, Data: data})
}

func TestSniff(t *testing.T) {
	for _, p := range fixtures(t) {
		if c := sniff(t, p); c != evidence.Certain {
			t.Errorf("%s: %v, want Certain", p, c)
		}
	}
	// Other runtimes' output that stacktrace reads, captured by its own
	// gen.sh: Java, Python and Node are ours, Go panics are go-dump's.
	st := filepath.Join("..", "stacktrace", "testdata")
	for _, pat := range []string{"java_*.txt", "python_*.txt", "node_*.txt"} {
		for _, p := range glob(t, filepath.Join(st, pat)) {
			if c := sniff(t, p); c < evidence.Likely {
				t.Errorf("%s: %v, want at least Likely", p, c)
			}
		}
	}
	for _, p := range glob(t, filepath.Join(st, "go_*.txt")) {
		if c := sniff(t, p); c > evidence.Maybe {
			t.Errorf("%s: %v, a Go panic must be left to go-dump", p, c)
		}
	}
	var others []string
	for _, pat := range []string{"../jvm/testdata/*.txt", "../otlp/testdata/*.json", "../jaeger/testdata/*.json", "../zipkin/testdata/*.json"} {
		others = append(others, glob(t, pat)...)
	}
	for _, p := range others {
		if c := sniff(t, p); c != evidence.No {
			t.Errorf("%s: %v, want No", p, c)
		}
	}
	for name, text := range map[string]string{
		"empty":     "",
		"prose":     "the server started\nand then it stopped\n",
		"goroutine": "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1d\n",
	} {
		if c := (&Decoder{}).Sniff(&evidence.Input{Data: []byte(text)}); c > evidence.Maybe {
			t.Errorf("%s: %v", name, c)
		}
	}
}
