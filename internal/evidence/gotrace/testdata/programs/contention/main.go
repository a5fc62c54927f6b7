// Command contention writes a Go execution trace (runtime/trace) of worker
// goroutines that contend on two mutexes and read under an RWMutex that a
// repricer write-locks, hand values over a channel, wait on a WaitGroup,
// and annotate one unit of work with a task, regions and user logs,
// including the OpenTelemetry IDs TAG correlates with spans.
//
// Usage: contention OUT.trace
package main

import (
	"context"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// Inventory is guarded by its own mutex: the first contended lock.
type Inventory struct {
	mu    sync.Mutex
	stock map[string]int
}

// Reserve holds the inventory lock while it "checks the warehouse".
func (inv *Inventory) Reserve(item string) {
	inv.mu.Lock()
	spin(200 * time.Microsecond)
	inv.stock[item]--
	inv.mu.Unlock()
}

// Ledger is the second contended lock.
type Ledger struct {
	mu      sync.Mutex
	entries []string
}

// Record holds the ledger lock while it "writes to disk".
func (l *Ledger) Record(entry string) {
	l.mu.Lock()
	spin(300 * time.Microsecond)
	l.entries = append(l.entries, entry)
	l.mu.Unlock()
}

// Catalog is read by every order and rewritten now and then: readers
// queue behind the writer.
type Catalog struct {
	mu     sync.RWMutex
	prices map[string]int
}

// Price read-locks the catalog.
func (c *Catalog) Price(item string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.prices[item]
}

// Reprice holds the write lock across a slow recomputation.
func (c *Catalog) Reprice() {
	c.mu.Lock()
	spin(time.Millisecond)
	for k := range c.prices {
		c.prices[k]++
	}
	c.mu.Unlock()
}

// spin burns CPU so the lock is held without the goroutine parking.
func spin(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

func worker(id int, cat *Catalog, inv *Inventory, led *Ledger, orders <-chan string, wg *sync.WaitGroup) {
	defer wg.Done()
	for item := range orders {
		cat.Price(item)
		inv.Reserve(item)
		led.Record(fmt.Sprintf("w%d:%s", id, item))
	}
}

func checkout(ctx context.Context, inv *Inventory, led *Ledger) {
	ctx, task := trace.NewTask(ctx, "checkout")
	defer task.End()
	trace.Log(ctx, "otel.trace_id", "4BF92F3577B34DA6A3CE929D0E0E4736")
	trace.Log(ctx, "otel.span_id", "00F067AA0BA902B7")
	trace.WithRegion(ctx, "reserve", func() { inv.Reserve("book") })
	trace.WithRegion(ctx, "record", func() {
		led.Record("checkout:book")
		trace.Logf(ctx, "order", "recorded %d entries", len(led.entries))
	})
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	defer f.Close()
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	defer trace.Stop()

	cat := &Catalog{prices: map[string]int{"item0": 1, "item1": 2}}
	inv := &Inventory{stock: map[string]int{}}
	led := &Ledger{}
	orders := make(chan string) // unbuffered: every order is a handoff
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go worker(i, cat, inv, led, orders, &wg)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 4 {
			cat.Reprice()
			time.Sleep(2 * time.Millisecond)
		}
	}()
	done := make(chan struct{})
	go func() {
		checkout(context.Background(), inv, led)
		close(done)
	}()
	for i := range 40 {
		orders <- fmt.Sprintf("item%d", i%5)
	}
	close(orders)
	wg.Wait()
	<-done
}
