// Program heap retains a large cache built by one function, so the heap
// profile has a clear top allocation site (buildCache), next to a smaller
// one (makeIndex) and some runtime noise.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
)

var (
	cache [][]byte
	index map[string]int
)

// buildCache holds 256 chunks of 64 KiB: 16 MiB live, the top site.
func buildCache() {
	for i := 0; i < 256; i++ {
		chunk := make([]byte, 64<<10)
		cache = append(cache, chunk)
	}
}

// makeIndex holds a small map, a distant second site.
func makeIndex() {
	index = make(map[string]int)
	for i := 0; i < 20000; i++ {
		index[strconv.Itoa(i)] = i
	}
}

func main() {
	runtime.MemProfileRate = 64 << 10
	buildCache()
	makeIndex()
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		panic(err)
	}
	f.Close()
	// The same profile in the legacy text form (debug=1), which
	// google/pprof also reads.
	t, err := os.Create(os.Args[2])
	if err != nil {
		panic(err)
	}
	pprof.Lookup("heap").WriteTo(t, 1)
	t.Close()
	runtime.KeepAlive(cache)
	runtime.KeepAlive(index)
}
