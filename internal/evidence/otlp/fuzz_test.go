package otlp

import (
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecodeJSON(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.json", evidencetest.RepoRoot()+"/../shared/conformance/otlp/*.json")
	f.Fuzz(func(t *testing.T, data []byte) { evidencetest.FuzzDecode(t, JSONDecoder{}, data) })
}

func FuzzDecodeProto(f *testing.F) {
	f.Add([]byte{0x0a, 0x00})
	f.Add(sampleProto(f))
	f.Fuzz(func(t *testing.T, data []byte) { evidencetest.FuzzDecode(t, ProtoDecoder{}, data) })
}
