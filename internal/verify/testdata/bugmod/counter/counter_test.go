package counter

import (
	"sync"
	"testing"
)

// TestIncConcurrent is the reproduction: under -race it reports Inc.
func TestIncConcurrent(t *testing.T) {
	var c Counter
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				c.Inc()
			}
		})
	}
	wg.Wait()
	if c.Snapshot() > 400 {
		t.Fatal("counted more events than happened")
	}
}

// TestSnapshotWhileCounting reads while another goroutine counts.
func TestSnapshotWhileCounting(t *testing.T) {
	var c Counter
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 100 {
			c.Inc()
		}
	}()
	for range 100 {
		_ = c.Snapshot()
	}
	<-done
}
