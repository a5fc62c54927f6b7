package lockgraph

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/evidence/godump"
	"github.com/tagdebug/tag/internal/evidence/gotrace"
	"github.com/tagdebug/tag/internal/evidence/jvm"
)

// Fixture paths, relative to the repository root.
const (
	abbaDump     = "internal/evidence/godump/testdata/deadlock_abba.txt"
	doubleDump   = "internal/evidence/godump/testdata/deadlock_double.txt"
	raceReport   = "internal/evidence/godump/testdata/race_cache.txt"
	leakProfile  = "internal/evidence/godump/testdata/leak_profile.txt"
	monitorJVM   = "internal/evidence/jvm/testdata/monitor_deadlock_jstack.txt"
	monitorJcmd  = "internal/evidence/jvm/testdata/monitor_deadlock_jcmd.txt"
	ownableJVM   = "internal/evidence/jvm/testdata/lock_deadlock_jstack_l.txt"
	contention   = "internal/evidence/gotrace/testdata/contention.trace"
	jvmSourceDir = "internal/evidence/jvm/testdata/src"
)

// load decodes a fixture with the decoder that claims it, reading source
// for lock names from the repository (Go) or the JVM fixtures' src.
func load(t testing.TB, rel string) *epg.Graph {
	t.Helper()
	return loadScoped(t, rel, "")
}

// loadScoped is load with an explicit process scope, so that two loads
// of one file look like two occurrences with different node IDs.
func loadScoped(t testing.TB, rel, process string) *epg.Graph {
	t.Helper()
	root := evidencetest.RepoRoot()
	data, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	in := &evidence.Input{Name: filepath.Base(rel), Data: data, Process: process,
		SourceRoots: []string{root, filepath.Join(root, jvmSourceDir)}}
	ds := append(godump.Decoders(), &jvm.Decoder{}, &gotrace.Decoder{})
	d, err := evidence.Detect(in, ds)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	f, err := d.Decode(context.Background(), in)
	if err != nil {
		t.Fatalf("decode %s: %v", rel, err)
	}
	return evidencetest.Build(f)
}

// sourceLine returns line n of a file named as a fixture's frames name it
// (module path or bare file name), searched under the given roots.
func sourceLine(t *testing.T, file string, n int, roots ...string) string {
	t.Helper()
	const module = "github.com/tagdebug/tag/"
	for _, r := range roots {
		p := filepath.Join(evidencetest.RepoRoot(), r, strings.TrimPrefix(file, module))
		fh, err := os.Open(p)
		if err != nil {
			continue
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		for i := 1; sc.Scan(); i++ {
			if i == n {
				return sc.Text()
			}
		}
	}
	t.Fatalf("no source for %s:%d", file, n)
	return ""
}
