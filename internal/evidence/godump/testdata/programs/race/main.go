// Command race has two data races, so one run of the race detector
// prints two reports: Cache.Put writes the map Cache.Get reads without
// the lock, and a counter is incremented from two goroutines.
package main

import (
	"sync"
	"time"
)

// Cache is a map whose mutex Get forgets to take.
type Cache struct {
	mu   sync.Mutex
	hits int
	m    map[string]string
}

//go:noinline
func (c *Cache) Put(k, v string) {
	c.mu.Lock()
	c.m[k] = v
	c.mu.Unlock()
}

//go:noinline
func (c *Cache) Get(k string) string {
	c.hits++
	return c.m[k]
}

func main() {
	c := &Cache{m: map[string]string{}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c.Put("a", "1")
		c.Get("a")
	}()
	go func() {
		defer wg.Done()
		time.Sleep(10 * time.Millisecond)
		c.Get("a")
	}()
	wg.Wait()
}
