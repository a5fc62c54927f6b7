package zipkin

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.json",
		filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", "zipkin", "*.json"))
	f.Add([]byte(`[{"traceId":"1","id":"a","parentId":"b"},{"traceId":"1","id":"b","parentId":"a"}]`))
	f.Add([]byte(`[{"traceId":"1","id":"a","kind":"CLIENT","timestamp":10,"duration":5},{"traceId":"1","id":"a","kind":"SERVER","shared":true,"timestamp":2,"duration":3,"localEndpoint":{"serviceName":"b"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
