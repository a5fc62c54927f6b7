package godump

import (
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

var conformanceGlob = filepath.Join(evidencetest.RepoRoot(), "..", "shared", "conformance", "go-failures", "*.txt")

func FuzzDecodeDump(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.txt", conformanceGlob)
	f.Add([]byte("goroutine 1 [semacquire, 9 minutes]:\nsync.(*Mutex).Lock(...)\n\tsync/mutex.go:1\nmain.f(0xc000010000)\n\t/a.go:3 +0x1\n"))
	f.Add([]byte("found unexpected goroutines:\n[Goroutine 2 in state select, with main.f on top of the stack:\nmain.f()\n\t/a.go:1\n]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &DumpDecoder{}, data)
	})
}

func FuzzDecodeRace(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/race_*.txt", conformanceGlob)
	f.Add([]byte("WARNING: DATA RACE\nAtomic write of size 8 at 0x1 by main goroutine (mutexes: write M1):\n  main.f()\n      /a.go:1 +0x1\n\nGoroutine 2 (running) created at:\n  main.main()\n      /a.go:2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &RaceDecoder{}, data)
	})
}
