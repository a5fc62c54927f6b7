package jvm

import (
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func FuzzDecode(f *testing.F) {
	evidencetest.SeedFuzz(f, "testdata/*.txt")
	f.Add([]byte(head + "\"a\" #1 prio=5 tid=0x1 nid=0x2 runnable\n\tat X.f(X.java:1)\n\t- locked <0x10> (a X)\n\n   Locked ownable synchronizers:\n\t- <0x20> (a Y)\n"))
	f.Add([]byte("Found one Java-level deadlock:\n\"a\":\n  waiting for ownable synchronizer 0x10, (a Y),\n  which is held by \"b\"\n\nJava stack information for the threads listed above:\n\"b\":\n\tat X.g(X.java:2)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		evidencetest.FuzzDecode(t, &Decoder{}, data)
	})
}
