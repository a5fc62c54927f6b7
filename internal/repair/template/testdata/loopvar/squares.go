// Package squares squares in parallel. Its bug, under the go 1.21
// directive of its go.mod: the loop's variables are shared by every
// iteration, so the goroutines read i and x while the loop advances them.
package squares

import "sync"

// Each returns the squares of xs, in order.
func Each(xs []int) []int {
	out := make([]int, len(xs))
	var wg sync.WaitGroup
	for i, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = x * x
		}()
	}
	wg.Wait()
	return out
}
