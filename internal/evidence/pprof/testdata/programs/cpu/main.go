// Program cpu spends nearly all its time in one function (hotLoop), so the
// CPU profile's top flat function is unmistakable.
package main

import (
	"os"
	"runtime/pprof"
	"time"
)

var sink uint64

// hotLoop burns CPU on a multiply-xorshift chain the compiler cannot fold.
func hotLoop(n int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		x *= 2685821657736338717
	}
	return x
}

// coldWork is called as often but does a hundredth of the work.
func coldWork(n int) uint64 { return hotLoop(n / 100) }

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	deadline := time.Now().Add(700 * time.Millisecond)
	for time.Now().Before(deadline) {
		sink += hotLoop(1 << 20)
		sink += coldWork(1 << 20)
	}
	pprof.StopCPUProfile()
	f.Close()
}
