// Command panic fails the way most Go services first fail: a runtime
// error in a goroutine the main goroutine started. "nilmap" writes to a
// nil map (a plain panic value), "index" indexes past a slice's end (a
// runtime.Error).
package main

import (
	"os"
	"sync"
)

// Registry keeps sessions by name; its map is never made.
type Registry struct {
	sessions map[string]int
	order    []string
}

//go:noinline
func (r *Registry) Add(name string, id int) {
	r.sessions[name] = id
}

//go:noinline
func (r *Registry) Nth(i int) string {
	return r.order[i]
}

func main() {
	r := &Registry{order: []string{"a", "b", "c"}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if len(os.Args) > 1 && os.Args[1] == "index" {
			println(r.Nth(len(os.Args) + 3))
			return
		}
		r.Add("alice", 1)
	}()
	wg.Wait()
}
