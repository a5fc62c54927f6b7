package pprof

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, filepath.Join("testdata", "*.pb.gz"), filepath.Join("testdata", "*.txt"),
		filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", "pprof", "*"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
