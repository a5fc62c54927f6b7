// Package hang has a test that never finishes: a flusher holds the
// journal's lock while it waits for a signal that never comes, and two
// appenders queue on the lock, so `go test -timeout 2s` panics with
// "test timed out" and dumps every goroutine.
package hang

import (
	"sync"
	"testing"
)

// Journal batches entries; mu guards them.
type Journal struct {
	mu      sync.Mutex
	entries []string
	flushed chan struct{}
}

//go:noinline
func (j *Journal) Flush() {
	j.mu.Lock()
	defer j.mu.Unlock()
	<-j.flushed
}

//go:noinline
func (j *Journal) Append(e string) {
	j.mu.Lock()
	j.entries = append(j.entries, e)
	j.mu.Unlock()
}

func TestJournal(t *testing.T) {
	j := &Journal{flushed: make(chan struct{})}
	var wg sync.WaitGroup
	locked := make(chan struct{})
	wg.Add(3)
	go func() {
		defer wg.Done()
		close(locked)
		j.Flush()
	}()
	<-locked
	for _, e := range []string{"a", "b"} {
		go func() { defer wg.Done(); j.Append(e) }()
	}
	wg.Wait()
}
