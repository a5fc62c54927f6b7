package crashtext

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

// BenchmarkDecode decodes all fixtures concatenated: one excerpt with
// eight exceptions in three languages.
func BenchmarkDecode(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	var sb strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		sb.Write(data)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "bench", Data: data}); err != nil {
			b.Fatal(err)
		}
	}
}
