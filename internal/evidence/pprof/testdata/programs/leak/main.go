// Program leak starts request goroutines that block forever sending on a
// channel whose receiver gave up (a timeout path returns early), the
// classic goroutine leak, and writes go1.26's goroutine leak profile
// (GOEXPERIMENT=goroutineleakprofile), which finds goroutines blocked on
// objects no live goroutine can reach.
package main

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// fetch leaks its sender when the caller times out first.
func fetch(ctx context.Context) {
	ch := make(chan int) // unbuffered: the send below blocks forever
	go pprof.Do(ctx, pprof.Labels("trace_id", "0af7651916cd43dd8448eb211c80319c", "span_id", "b7ad6b7169203331"),
		func(context.Context) { ch <- slowLookup() })
	select {
	case v := <-ch:
		_ = v
	case <-ctx.Done():
	}
}

func slowLookup() int {
	time.Sleep(20 * time.Millisecond)
	return 42
}

func main() {
	for i := 0; i < 4; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		fetch(ctx)
		cancel()
	}
	time.Sleep(100 * time.Millisecond)
	runtime.GC()
	p := pprof.Lookup("goroutineleak")
	if p == nil {
		panic("this toolchain has no goroutineleak profile (GOEXPERIMENT=goroutineleakprofile)")
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := p.WriteTo(f, 0); err != nil {
		panic(err)
	}
	f.Close()
}
