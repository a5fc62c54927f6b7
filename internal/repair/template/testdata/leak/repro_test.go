package lookup

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// TestReproTimedOutLookupLeaks: a Lookup that times out must not leave
// its loader behind. It needs the go1.26 goroutine leak profile
// (GOEXPERIMENT=goroutineleakprofile), which names goroutines blocked
// forever on something nothing else can reach; on failure it prints the
// profile, the evidence TAG ingests.
func TestReproTimedOutLookupLeaks(t *testing.T) {
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		t.Skip("build with GOEXPERIMENT=goroutineleakprofile")
	}
	s := &Store{Latency: 20 * time.Millisecond}
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		if _, err := s.Lookup(ctx, "k"); err == nil {
			t.Fatal("Lookup beat a 1ms deadline against a 20ms store")
		}
		cancel()
	}
	time.Sleep(100 * time.Millisecond) // the loaders finish loading
	runtime.GC()
	var sb strings.Builder
	if err := p.WriteTo(&sb, 2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(sb.String(), "(leaked)]"); n > 0 {
		os.Stderr.WriteString(sb.String())
		t.Fatalf("%d loader goroutines leaked", n)
	}
}
