// Command leak leaks goroutines and writes the go1.26 goroutine leak
// profile (built with GOEXPERIMENT=goroutineleakprofile) in its debug=2
// text form. Each call to Fetch starts a worker that sends its result on
// an unbuffered channel nobody reads once Fetch has timed out; a worker
// stuck on a mutex whose holder is gone leaks too. A goroutine parked on
// a channel that a global still references is blocked but not leaked.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Client fetches from a slow backend.
type Client struct{ backend time.Duration }

// Fetch waits for the worker at most d; on timeout the worker's send
// blocks forever and nothing can ever receive it.
//
//go:noinline
func (c *Client) Fetch(d time.Duration) (int, bool) {
	ch := make(chan int)
	go c.work(ch)
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		return 0, false
	}
}

//go:noinline
func (c *Client) work(ch chan<- int) {
	time.Sleep(c.backend)
	ch <- 42
}

// Table is guarded by mu; the goroutine that locked it exits without
// unlocking.
type Table struct {
	mu   sync.Mutex
	rows int
}

//go:noinline
func (t *Table) Insert() {
	t.mu.Lock()
	t.rows++
}

// pending is reachable from a global, so its receiver is not leaked.
var pending = make(chan int)

func main() {
	c := &Client{backend: 20 * time.Millisecond}
	for range 3 {
		c.Fetch(time.Millisecond)
	}
	func() {
		t := &Table{}
		t.Insert()
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() { wg.Done(); t.Insert() }()
		}
		wg.Wait()
	}()
	go func() { <-pending }()
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		println("goroutineleak profile unavailable: build with GOEXPERIMENT=goroutineleakprofile")
		os.Exit(2)
	}
	p.WriteTo(os.Stdout, 2)
}
