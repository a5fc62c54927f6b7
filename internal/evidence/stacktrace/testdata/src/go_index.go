//go:build ignore

// go_index indexes past the end of a slice inside a goroutine while
// other goroutines are parked, run with GOTRACEBACK=all so the dump holds
// several goroutines and a "created by" line.
package main

import (
	"sync"
	"time"
)

func pick(xs []int, i int) int { return xs[i] }

func worker(wg *sync.WaitGroup) {
	defer wg.Done()
	_ = pick([]int{1, 2, 3}, 5)
}

func main() {
	var mu sync.Mutex
	mu.Lock()
	go func() { mu.Lock() }()
	var wg sync.WaitGroup
	wg.Add(1)
	time.Sleep(10 * time.Millisecond)
	go worker(&wg)
	wg.Wait()
}
