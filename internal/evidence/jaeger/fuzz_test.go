package jaeger

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.json",
		filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", "jaeger", "*.json"))
	f.Add([]byte(`{"traceID":"1","spans":[{"spanID":"a","references":[{"refType":"CHILD_OF","spanID":"b"}]},{"spanID":"b","references":[{"refType":"CHILD_OF","spanID":"a"}]}]}`))
	f.Add([]byte(`{"data":[{"traceID":"1","spans":[{"spanID":"2","tags":[{"key":"k","type":"int64","value":"9"}],"logs":[{"timestamp":1,"fields":[{"key":"event","value":"exception"}]}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
