// Package lookup reads through a slow backing store with a deadline. Its
// bug: when the caller's context ends first, the loader goroutine's send
// has no receiver and blocks forever, so every timed-out Lookup leaks a
// goroutine.
package lookup

import (
	"context"
	"time"
)

// Store loads values with a fixed latency.
type Store struct {
	Latency time.Duration
}

func (s *Store) load(key string) string {
	time.Sleep(s.Latency)
	return "value of " + key
}

// Lookup returns key's value, or ctx's error when ctx ends first.
func (s *Store) Lookup(ctx context.Context, key string) (string, error) {
	ch := make(chan string)
	go func() {
		v := s.load(key)
		ch <- v
	}()
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
