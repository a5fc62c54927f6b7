// Program goroutine parks request handlers under pprof labels that carry
// OpenTelemetry trace and span IDs (as otel-profiling integrations set
// them), plus unlabelled workers, and writes the goroutine profile in
// proto (debug=0) and legacy text (debug=1) form.
package main

import (
	"context"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var release = make(chan struct{})

// handleCheckout waits on a channel nobody sends to until main is done.
func handleCheckout(ctx context.Context, ready *sync.WaitGroup) {
	ready.Done()
	<-release
}

// worker waits on a timer-free select, unlabelled.
func worker(ready *sync.WaitGroup) {
	ready.Done()
	select {
	case <-release:
	}
}

func main() {
	var ready sync.WaitGroup
	labels := pprof.Labels(
		"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736",
		"span_id", "00f067aa0ba902b7",
		"http.route", "/checkout")
	for i := 0; i < 3; i++ {
		ready.Add(1)
		go pprof.Do(context.Background(), labels, func(ctx context.Context) {
			handleCheckout(ctx, &ready)
		})
	}
	for i := 0; i < 2; i++ {
		ready.Add(1)
		go worker(&ready)
	}
	ready.Wait()
	time.Sleep(50 * time.Millisecond)
	for i, debug := range []int{0, 1} {
		f, err := os.Create(os.Args[1+i])
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
			panic(err)
		}
		f.Close()
	}
	close(release)
}
