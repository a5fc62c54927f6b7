package crashtext

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.txt", filepath.Join("..", "stacktrace", "testdata", "*.txt"))
	f.Add([]byte("java.lang.IllegalStateException: a\n\tat A.b(A.java:1)\nx\n\tat C.d(C.java:2)\n"))
	f.Add([]byte("/a.js:3\n  throw e\n  ^\n\nError: x\n    at f (/a.js:3:9) {\n  [cause]: TypeError: y\n      at g (/a.js:1:1)\n}\n\nNode.js v20.0.0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
