package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// Every decoder's own fixtures, and the shared conformance corpus, are
// recognised as their format by auto-detection over the full decoder list:
// adding a decoder must not steal another's input.
func TestDetectionAcrossAllDecoders(t *testing.T) {
	root := filepath.Join(evidencetest.RepoRoot(), "internal", "evidence")
	cases := []struct {
		glob, format string
	}{
		{"otlp/testdata/*.json", "otlp-json"},
		{"jaeger/testdata/*.json", "jaeger-json"},
		{"zipkin/testdata/*.json", "zipkin-json"},
		{"godump/testdata/panic_*.txt", "go-dump"},
		{"godump/testdata/deadlock_*.txt", "go-dump"},
		{"godump/testdata/leak_profile.txt", "go-dump"},
		{"godump/testdata/test_timeout.txt", "go-dump"},
		{"godump/testdata/sigquit_*.txt", "go-dump"},
		{"godump/testdata/pprof_debug2.txt", "go-dump"},
		{"godump/testdata/race_*.txt", "go-race"},
		{"gotrace/testdata/*.trace", "go-exectrace"},
		{"pprof/testdata/*.pb.gz", "pprof"},
		{"jvm/testdata/*.txt", "jvm-threaddump"},
		{"crashtext/testdata/*.txt", "exception-text"},
		{"logs/testdata/*.jsonl", "json-log"},
		{"logs/testdata/*.logfmt", "logfmt"},
	}
	conf := []struct{ dir, glob, format string }{
		{"otlp", "*.json", "otlp-json"},
		{"jaeger", "*.json", "jaeger-json"},
		{"zipkin", "*.json", "zipkin-json"},
		{"go-failures", "*data_race*", "go-race"},
		{"go-failures", "*asleep*", "go-dump"},
		{"go-failures", "*timeout*", "go-dump"},
		{"go-failures", "*panic*", "go-dump"},
		{"go-failures", "*goleak*", "go-dump"},
		{"go-failures", "*leakprofile*", "go-dump"},
	}
	var files []string
	want := map[string]string{}
	for _, c := range cases {
		ms, _ := filepath.Glob(filepath.Join(root, c.glob))
		if len(ms) == 0 {
			t.Errorf("no fixtures match %s", c.glob)
		}
		for _, m := range ms {
			if !strings.HasSuffix(m, ".golden.json") {
				files = append(files, m)
				want[m] = c.format
			}
		}
	}
	if dir := filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance"); dirExists(dir) {
		for _, c := range conf {
			ms, _ := filepath.Glob(filepath.Join(dir, c.dir, c.glob))
			for _, m := range ms {
				files = append(files, m)
				want[m] = c.format
			}
		}
		// pprof conformance files: every profile but the .string expectations.
		ms, _ := filepath.Glob(filepath.Join(dir, "pprof", "*"))
		for _, m := range ms {
			if !strings.HasSuffix(m, ".string") {
				files = append(files, m)
				want[m] = "pprof"
			}
		}
	}
	ds := Decoders()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := evidence.Detect(&evidence.Input{Name: f, Data: data}, ds)
		got := ""
		if d != nil {
			got = d.Format()
		}
		if err != nil || got != want[f] {
			t.Errorf("%s: detected %q (%v), want %q", strings.TrimPrefix(f, evidencetest.RepoRoot()+"/"), got, err, want[f])
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
