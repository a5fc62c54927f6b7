// Command flightrec keeps a runtime/trace flight recorder running while one
// goroutine holds a mutex for a long time and others queue behind it, then
// writes the recorder's snapshot once they get through: the way a service
// captures the seconds before a latency spike. The lock is taken before
// the snapshot's window opens, so the snapshot sees the readers already
// waiting and the holder already inside its slow reload.
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
func (c *Cache) Refresh(d time.Duration, started chan<- struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(started)
	time.Sleep(d) // the reload
	c.data["k"] = "v"
}

// Get waits for the lock every reader needs.
func (c *Cache) Get(k string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.data[k]
}

func main() {
	// A reload longer than MinAge puts the start of the waits before the
	// snapshot's window; MinAge longer than a trace generation (about a
	// second) makes the window hold a whole generation, at whose end the
	// runtime reports the stacks of the goroutines it did not see run.
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 1500 * time.Millisecond, MaxBytes: 256 << 10})
	if err := fr.Start(); err != nil {
		panic(err)
	}
	c := &Cache{data: map[string]string{}}
	var wg sync.WaitGroup
	started := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.Refresh(3*time.Second, started)
	}()
	<-started
	start := time.Now()
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Get("k")
		}()
	}
	// Unrelated work keeps the trace moving while the readers wait.
	ticker := time.NewTicker(50 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ticker.C:
			case <-done:
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	ticker.Stop()
	if time.Since(start) > time.Second { // the latency spike
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
