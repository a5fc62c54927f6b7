// Command load drives a running shop (examples/shop/cmd/shop) with healthy
// traffic and, with -fail, the requests that trip each bug, so TAG sees
// both the failures and cohorts of successful traces of every endpoint.
//
//	go run ./examples/shop/load -url http://localhost:8080 -n 200 -fail
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://localhost:8080", "shop base URL")
	n := flag.Int("n", 100, "healthy requests")
	fail := flag.Bool("fail", false, "also send the requests that trip the bugs")
	flag.Parse()
	// Deadlocked transfers never answer: give up on them.
	http.DefaultClient.Timeout = 5 * time.Second
	counts := map[int]int{}
	var mu sync.Mutex
	do := func(method, path, body string) {
		req, err := http.NewRequest(method, *base+path, strings.NewReader(body))
		if err != nil {
			log.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		code := 0
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			code = resp.StatusCode
		}
		mu.Lock()
		counts[code]++
		mu.Unlock()
	}
	for i := range *n {
		switch i % 3 {
		case 0:
			do("POST", "/pay", `{"amount":40,"discount_code":"WELCOME10"}`)
		case 1:
			do("GET", "/top-users?k=3", "")
		default:
			do("POST", "/v1/checkout", fmt.Sprintf(`{"sku":"sku-%d","qty":1}`, 1+rand.IntN(8)))
		}
	}
	if *fail {
		do("POST", "/pay", `{"amount":40,"discount_code":"SPRING"}`)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() { do("POST", "/v1/checkout", fmt.Sprintf(`{"sku":"sku-%d","qty":1}`, 1+i%8)) })
		}
		for range 4 {
			wg.Go(func() { do("POST", "/transfer", `{"from":"alice","to":"bob","amount":5}`) })
			wg.Go(func() { do("POST", "/transfer", `{"from":"bob","to":"alice","amount":5}`) })
		}
		wg.Wait()
	}
	fmt.Printf("responses by status (0 = connection dropped): %v\n", counts)
}
