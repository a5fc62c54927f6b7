package godump

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/maruel/panicparse/v2/stack"
	"github.com/tagdebug/tag/internal/evidence"
)

// benchGoroutines is how many goroutines the benchmark's dump holds.
const benchGoroutines = 100000

// benchDump builds testdata/programs/bench and returns its dump of
// benchGoroutines parked goroutines. The output is cached in
// os.TempDir under a key of the program's source, the toolchain and
// the count, because producing it takes longer than decoding it.
func benchDump(b *testing.B) []byte {
	b.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		b.Skip("go tool not found")
	}
	src, err := os.ReadFile(filepath.Join("testdata", "programs", "bench", "main.go"))
	if err != nil {
		b.Fatal(err)
	}
	h := sha256.New()
	h.Write(src)
	io.WriteString(h, runtime.Version()+runtime.GOARCH)
	io.WriteString(h, itoa(benchGoroutines))
	cache := filepath.Join(os.TempDir(), "tag-godump-bench-"+hex.EncodeToString(h.Sum(nil)[:8])+".txt")
	if data, err := os.ReadFile(cache); err == nil {
		return data
	}
	exe := filepath.Join(b.TempDir(), "bench")
	build := exec.Command(gobin, "build", "-trimpath", "-o", exe, "./testdata/programs/bench")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	data, err := exec.Command(exe, itoa(benchGoroutines)).Output()
	if err != nil {
		b.Fatalf("run: %v", err)
	}
	if err := os.WriteFile(cache, data, 0o644); err != nil {
		b.Logf("cache: %v", err)
	}
	return data
}

func decodeOurs(b testing.TB, data []byte) {
	if _, err := (&DumpDecoder{}).Decode(context.Background(), &evidence.Input{Name: "bench", Data: data}); err != nil {
		b.Fatal(err)
	}
}

func scanPanicparse(b testing.TB, data []byte) {
	s, _, err := stack.ScanSnapshot(bytes.NewReader(data), io.Discard, &stack.Opts{})
	if s == nil || (err != nil && err != io.EOF) {
		b.Fatalf("panicparse: %v", err)
	}
}

var (
	ratioOnce sync.Once
	ratio     float64
)

// timeRatio times both parsers directly (never testing.Benchmark, which
// deadlocks inside a running benchmark), best of three runs each, and
// returns ours/panicparse.
func timeRatio(b *testing.B, data []byte) float64 {
	ratioOnce.Do(func() {
		best := func(f func(testing.TB, []byte)) time.Duration {
			var bestD time.Duration
			for range 3 {
				runtime.GC()
				t0 := time.Now()
				f(b, data)
				if d := time.Since(t0); bestD == 0 || d < bestD {
					bestD = d
				}
			}
			return bestD
		}
		ratio = float64(best(decodeOurs)) / float64(best(scanPanicparse))
	})
	return ratio
}

// BenchmarkGoroutineDump decodes a real 100k-goroutine runtime.Stack
// dump into EPG nodes and, on the same bytes in the same run, scans it
// with panicparse's stack.ScanSnapshot (no path guessing, no source
// analysis: parsing only). Ours does more (thread, frame and lock nodes
// and edges), so the ratio is a conservative comparison.
func BenchmarkGoroutineDump(b *testing.B) {
	data := benchDump(b)
	n := bytes.Count(data, []byte("\ngoroutine ")) + 1
	if !strings.HasPrefix(string(data[:20]), "goroutine ") {
		b.Fatal("unexpected benchmark input")
	}
	run := func(name string, f func(testing.TB, []byte)) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			t0 := time.Now()
			for b.Loop() {
				f(b, data)
			}
			b.ReportMetric(float64(n)*float64(b.N)/time.Since(t0).Seconds(), "goroutines/s")
			if name == "tag" {
				b.ReportMetric(timeRatio(b, data), "time-vs-panicparse")
			}
		})
	}
	run("tag", decodeOurs)
	run("panicparse", scanPanicparse)
}
