package gotrace

import (
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.trace")
	f.Add([]byte("go 1.26 trace\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
