// Command flightrec keeps a runtime/trace flight recorder running while one
// goroutine holds a mutex for a long time and others queue behind it, then
// writes the recorder's snapshot: the way a service would capture the
// seconds before a latency spike.
//
// Usage: flightrec OUT.trace
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// Cache is refreshed under its lock; the refresh is the slow holder.
type Cache struct {
	mu   sync.Mutex
	data map[string]string
}

// Refresh holds the lock across a slow reload.
func (c *Cache) Refresh() {
	c.mu.Lock()
	defer c.mu.Unlock()
	time.Sleep(40 * time.Millisecond) // the reload
	c.data["k"] = "v"
}

// Get waits for the lock every reader needs.
func (c *Cache) Get(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data[k]
}

func main() {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: time.Second, MaxBytes: 1 << 20})
	if err := fr.Start(); err != nil {
		panic(err)
	}
	c := &Cache{data: map[string]string{}}
	var wg sync.WaitGroup
	refreshing := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.mu.Lock() // hold before readers start so they surely wait
		close(refreshing)
		c.mu.Unlock()
		c.Refresh()
	}()
	<-refreshing
	time.Sleep(time.Millisecond)
	start := time.Now()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Get("k")
		}()
	}
	wg.Wait()
	if time.Since(start) > 10*time.Millisecond { // the interesting moment
		out, err := os.Create(os.Args[1])
		if err != nil {
			panic(err)
		}
		if _, err := fr.WriteTo(out); err != nil {
			panic(err)
		}
		out.Close()
	}
	fr.Stop()
}
