// Package sum adds numbers in parallel. Its bug: each worker calls
// wg.Add itself, so Wait can run before any Add and return while the
// workers are still adding.
package sum

import "sync"

// Squares returns the sum of the squares of xs, computed in parallel.
func Squares(xs []int) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, x := range xs {
		go func() {
			wg.Add(1)
			defer wg.Done()
			mu.Lock()
			total += x * x
			mu.Unlock()
		}()
	}
	wg.Wait()
	return total
}
