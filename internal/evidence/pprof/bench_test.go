package pprof

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/internal/evidence"
)

// largestFixture returns the biggest profile under testdata.
func largestFixture(b *testing.B) (string, []byte) {
	var name string
	var data []byte
	for _, n := range fixtures {
		d, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			b.Fatal(err)
		}
		if len(d) > len(data) {
			name, data = n, d
		}
	}
	return name, data
}

// BenchmarkPprof measures our Decode against google/pprof's bare parse
// of the same bytes, the floor our decode stands on.
func BenchmarkPprof(b *testing.B) {
	name, data := largestFixture(b)
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		d := &Decoder{}
		for b.Loop() {
			if _, err := d.Decode(context.Background(), &evidence.Input{Name: name, Data: data}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ProfileParse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := profile.ParseData(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
