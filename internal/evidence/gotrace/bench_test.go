package gotrace

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/exp/trace"

	"github.com/tagdebug/tag/internal/evidence"
)

// BenchmarkExecTrace measures Decode on a trace of several MB written by
// testdata/programs/load at benchmark time, against the bare x/exp/trace
// read loop over the same bytes (the floor: any decoder must parse). The
// "decode" sub-benchmark also reports speed-vs-bare, our throughput over
// the bare loop's (wall clock), and cpu-speed-vs-bare (process CPU time,
// the steadier figure on a shared machine), timing both itself after its
// loop because testing.Benchmark must not be called from inside a running
// benchmark.
func BenchmarkExecTrace(b *testing.B) {
	data := loadTrace(b)
	events := bareRead(b, data)
	b.Logf("trace: %d bytes, %d events", len(data), events)
	b.Run("bare", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			bareRead(b, data)
		}
		b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("decode", func(b *testing.B) {
		in := &evidence.Input{Name: "load.trace", Data: data}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (&Decoder{}).Decode(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		b.StopTimer()
		// The machine is shared: alternate the two so that a burst of
		// load elsewhere hits both sides alike, and compare CPU time
		// (where the platform says) rather than wall-clock time.
		var ours, bare, oursCPU, bareCPU time.Duration
		for range 3 {
			c0, t0 := cpuTime(), time.Now()
			if _, err := (&Decoder{}).Decode(context.Background(), in); err != nil {
				b.Fatal(err)
			}
			c1, t1 := cpuTime(), time.Now()
			bareRead(b, data)
			c2, t2 := cpuTime(), time.Now()
			ours, bare = ours+t1.Sub(t0), bare+t2.Sub(t1)
			oursCPU, bareCPU = oursCPU+c1-c0, bareCPU+c2-c1
		}
		if oursCPU > 0 && bareCPU > 0 {
			b.ReportMetric(float64(bareCPU)/float64(oursCPU), "cpu-speed-vs-bare")
		}
		b.ReportMetric(float64(bare)/float64(ours), "speed-vs-bare")
	})
}

// bareRead reads every event of data and returns how many there were.
func bareRead(b *testing.B, data []byte) int {
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, err := r.ReadEvent()
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// loadTrace builds and runs testdata/programs/load, skipping when there
// is no go tool to build it with.
func loadTrace(b *testing.B) []byte {
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Skip("no go tool to build testdata/programs/load")
	}
	dir := b.TempDir()
	bin, out := filepath.Join(dir, "load"), filepath.Join(dir, "load.trace")
	build := exec.Command(goTool, "build", "-trimpath", "-o", bin, ".")
	build.Dir = filepath.Join("testdata", "programs", "load")
	if msg, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the load program: %v\n%s", err, msg)
	}
	if msg, err := exec.Command(bin, out, "100000").CombinedOutput(); err != nil {
		b.Fatalf("running the load program: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
