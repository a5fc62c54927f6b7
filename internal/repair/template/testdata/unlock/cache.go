// Package cache is a small guarded map. Its bug: Get returns early on a
// miss with the mutex still locked, so the next call blocks forever.
package cache

import (
	"errors"
	"sync"
)

// ErrMiss is Get's answer for an absent key.
var ErrMiss = errors.New("cache: miss")

// Cache maps keys to values.
type Cache struct {
	mu   sync.Mutex
	vals map[string]string
	hits int
}

// New returns an empty cache.
func New() *Cache { return &Cache{vals: map[string]string{}} }

// Put sets key's value.
func (c *Cache) Put(key, val string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.vals[key] = val
}

// Get returns key's value, or ErrMiss.
func (c *Cache) Get(key string) (string, error) {
	c.mu.Lock()
	v, ok := c.vals[key]
	if !ok {
		return "", ErrMiss
	}
	c.hits++
	c.mu.Unlock()
	return v, nil
}
