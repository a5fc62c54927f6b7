package shop

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Inventory reserves stock per SKU.
type Inventory struct {
	// Work is the slow part of a reservation (a warehouse call).
	Work time.Duration

	mu    sync.Mutex // BUG: one lock for every SKU
	stock map[string]int

	// inside counts reservations doing their slow work at once, and peak
	// is the most there ever were: with the bug it never exceeds 1.
	inside, peak atomic.Int32
}

// NewInventory stocks every SKU with n units.
func NewInventory(work time.Duration, n int, skus ...string) *Inventory {
	inv := &Inventory{Work: work, stock: map[string]int{}}
	for _, s := range skus {
		inv.stock[s] = n
	}
	return inv
}

// Reserve takes qty units of sku.
//
// BUG: the global mutex is held across the slow work for every SKU, and
// ctx's deadline is ignored while waiting for it.
func (inv *Inventory) Reserve(ctx context.Context, sku string, qty int) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	n := inv.inside.Add(1)
	for {
		p := inv.peak.Load()
		if n <= p || inv.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(inv.Work)
	inv.inside.Add(-1)
	if inv.stock[sku] < qty {
		return ErrOutOfStock
	}
	inv.stock[sku] -= qty
	return ctx.Err()
}

// PeakConcurrency is the most reservations that ever did their slow work
// at the same time.
func (inv *Inventory) PeakConcurrency() int { return int(inv.peak.Load()) }

// CheckoutRequest is the body of POST /v1/checkout.
type CheckoutRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// CheckoutTimeout is how long a checkout may take.
const CheckoutTimeout = 2500 * time.Millisecond

// Checkout handles POST /v1/checkout.
func (s *Shop) Checkout(w http.ResponseWriter, r *http.Request) {
	var c CheckoutRequest
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), CheckoutTimeout)
	defer cancel()
	if err := s.Inventory.Reserve(ctx, c.SKU, max(c.Qty, 1)); err != nil {
		status := http.StatusConflict
		if ctx.Err() != nil {
			status = http.StatusGatewayTimeout
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Write([]byte("{\"reserved\":true}\n"))
}
