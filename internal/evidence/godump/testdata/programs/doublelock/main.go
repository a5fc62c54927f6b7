// Command doublelock locks a mutex it already holds: Get takes c.mu and
// calls refresh, which takes c.mu again. Go mutexes are not reentrant,
// so the goroutine waits for itself forever.
package main

import "sync"

// Cache memoises one value.
type Cache struct {
	mu    sync.Mutex
	value int
	stale bool
}

// Get returns the value, refreshing it first when stale.
//
//go:noinline
func (c *Cache) Get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stale {
		c.refresh()
	}
	return c.value
}

//go:noinline
func (c *Cache) refresh() {
	c.mu.Lock()
	c.value++
	c.stale = false
	c.mu.Unlock()
}

func main() {
	c := &Cache{stale: true}
	done := make(chan int)
	go func() { done <- c.Get() }()
	println(<-done)
}
