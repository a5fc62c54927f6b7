// Package counter counts events by key.
package counter

import "sync"

// Counter counts events.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Inc counts one event.
//
// BUG: n is written without the lock.
func (c *Counter) Inc() {
	c.n++
}

// Snapshot returns the count so far.
func (c *Counter) Snapshot() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
