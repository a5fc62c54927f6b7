// Command bench parks many goroutines (100000 by default, or os.Args[1])
// in a mix of states at a mix of stack depths and writes
// runtime.Stack(all) to stdout: the input of BenchmarkGoroutineDump.
package main

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

// Shard is a lock-striped counter.
type Shard struct {
	mu sync.Mutex
	n  int
}

var (
	block    = make(chan int)
	shards   [16]Shard
	cond     = sync.NewCond(&sync.Mutex{})
	gate     sync.WaitGroup
	rw       sync.RWMutex
	selectCh = make(chan int)
)

//go:noinline
func descend(depth, kind int, s *Shard) {
	if depth > 0 {
		descend(depth-1, kind, s)
		return
	}
	switch kind {
	case 0:
		<-block
	case 1:
		select {
		case <-block:
		case <-selectCh:
		}
	case 2:
		s.mu.Lock()
		s.n++
		s.mu.Unlock()
	case 3:
		gate.Wait()
	case 4:
		time.Sleep(time.Hour)
	case 5:
		cond.L.Lock()
		cond.Wait()
		cond.L.Unlock()
	case 6:
		rw.RLock()
		rw.RUnlock()
	}
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	for i := range shards {
		shards[i].mu.Lock()
	}
	gate.Add(1)
	rw.Lock()
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		go func() {
			started.Done()
			descend(i%9, i%7, &shards[i%16])
		}()
	}
	started.Wait()
	time.Sleep(200 * time.Millisecond)
	buf := make([]byte, 64<<20)
	for {
		k := runtime.Stack(buf, true)
		if k < len(buf) {
			buf = buf[:k]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	os.Stdout.Write(buf)
}
