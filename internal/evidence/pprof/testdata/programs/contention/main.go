// Program contention makes eight goroutines fight over one named lock
// (Inventory.mu, taken in (*Inventory).Reserve) while holding it for a
// millisecond, and writes the mutex profile (where the lock was released,
// delaying others) and the block profile (where goroutines waited for it).
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Inventory is the shared state whose lock is contended.
type Inventory struct {
	mu    sync.Mutex
	stock map[string]int
}

// Reserve holds the lock across a slow step, the bug the profiles show.
func (inv *Inventory) Reserve(item string) {
	inv.mu.Lock()
	time.Sleep(time.Millisecond)
	inv.stock[item]--
	inv.mu.Unlock()
}

func main() {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	inv := &Inventory{stock: map[string]int{"widget": 1 << 20}}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				inv.Reserve("widget")
			}
		}()
	}
	wg.Wait()
	for i, name := range []string{"mutex", "block"} {
		f, err := os.Create(os.Args[1+i])
		if err != nil {
			panic(err)
		}
		if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
			panic(err)
		}
		f.Close()
	}
}
