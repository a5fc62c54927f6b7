// Command load writes a large execution trace for BenchmarkExecTrace: many
// goroutines that contend on a few mutexes, pass work over channels and
// annotate it with tasks, regions and logs. The work is a fixed number of
// jobs, not a time, so the trace is about the same size on a busy machine.
//
// Usage: load OUT.trace [JOBS]
package main

import (
	"context"
	"os"
	"runtime/trace"
	"strconv"
	"sync"
)

type shard struct {
	mu sync.Mutex
	n  int
}

func (s *shard) add(k int) {
	s.mu.Lock()
	s.n += k
	s.mu.Unlock()
}

func main() {
	jobs := 20000
	if len(os.Args) > 2 {
		var err error
		if jobs, err = strconv.Atoi(os.Args[2]); err != nil {
			panic(err)
		}
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	defer trace.Stop()

	shards := make([]shard, 3)
	work := make(chan int)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				ctx, task := trace.NewTask(context.Background(), "job")
				trace.WithRegion(ctx, "apply", func() {
					shards[(k+w)%len(shards)].add(k)
				})
				if k%64 == 0 {
					trace.Log(ctx, "progress", strconv.Itoa(k))
				}
				task.End()
			}
		}()
	}
	for k := range jobs {
		work <- k
	}
	close(work)
	wg.Wait()
}
