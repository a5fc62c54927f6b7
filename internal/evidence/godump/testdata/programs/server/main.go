// Command server is a small HTTP service with net/http/pprof mounted,
// listening on loopback, with goroutines in the states a real service
// has: an accept loop, idle workers on a queue, a ticker loop, and two
// requests stuck behind a mutex a slow reindex holds.
//
//	server pprof   prints its own /debug/pprof/goroutine?debug=2 and exits
//	server serve   prints "ready" and waits (for SIGQUIT)
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"sync"
	"time"
)

// Index is the service's search index.
type Index struct {
	mu   sync.RWMutex
	docs map[string]int
}

//go:noinline
func (x *Index) Reindex(done <-chan struct{}) {
	x.mu.Lock()
	defer x.mu.Unlock()
	<-done
}

//go:noinline
func (x *Index) Lookup(k string) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.docs[k]
}

func worker(jobs <-chan func()) {
	for j := range jobs {
		j()
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	x := &Index{docs: map[string]int{}}
	never := make(chan struct{})
	locked := make(chan struct{})
	go func() { x.mu.Lock(); close(locked); x.mu.Unlock(); x.Reindex(never) }()
	<-locked
	time.Sleep(10 * time.Millisecond)
	http.HandleFunc("/lookup", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, x.Lookup(r.URL.Query().Get("k")))
	})
	jobs := make(chan func())
	for range 3 {
		go worker(jobs)
	}
	go func() {
		for range time.Tick(time.Hour) {
		}
	}()
	go http.Serve(ln, nil)
	base := "http://" + ln.Addr().String()
	for _, k := range []string{"a", "b"} {
		go http.Get(base + "/lookup?k=" + k)
	}
	time.Sleep(200 * time.Millisecond)
	if len(os.Args) > 1 && os.Args[1] == "pprof" {
		resp, err := http.Get(base + "/debug/pprof/goroutine?debug=2")
		if err != nil {
			panic(err)
		}
		io.Copy(os.Stdout, resp.Body)
		return
	}
	fmt.Println("ready")
	select {}
}
