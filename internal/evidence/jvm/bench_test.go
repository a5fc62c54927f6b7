package jvm

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

// BenchmarkDecode decodes the largest fixture, with and without source
// roots (naming locks reads source lines).
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "lock_deadlock_jstack_l.txt"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		roots []string
	}{{"plain", nil}, {"source", []string{filepath.Join("testdata", "src")}}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				in := &evidence.Input{Name: "dump", Data: data, SourceRoots: c.roots}
				if _, err := (&Decoder{}).Decode(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
