package stacktrace

import (
	"sort"
	"strings"
	"testing"
)

// BenchmarkParse parses each fixture. The "split" case only splits the
// same text into lines, the floor any line parser pays, for comparison
// in the same run.
func BenchmarkParse(b *testing.B) {
	fx := fixtures(b)
	names := make([]string, 0, len(fx))
	for n := range fx {
		names = append(names, n)
	}
	sort.Strings(names)
	all := strings.Join(mapValues(fx, names), "\n")
	for _, n := range names {
		text := fx[n]
		b.Run(n, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(text)
			}
		})
	}
	big := strings.Repeat(fx["java_npe"], 200) // ~300 KB: the first trace wins, the rest is scanned past
	b.Run("large", func(b *testing.B) {
		b.SetBytes(int64(len(big)))
		b.ReportAllocs()
		for b.Loop() {
			_, _ = Parse(big)
		}
	})
	b.Run("split", func(b *testing.B) {
		b.SetBytes(int64(len(all)))
		b.ReportAllocs()
		for b.Loop() {
			_ = splitLines(all)
		}
	})
}

func mapValues(m map[string]string, keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
