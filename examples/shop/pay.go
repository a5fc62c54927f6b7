package shop

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Discount is a percentage off an order.
type Discount struct {
	Code    string
	Percent float64
}

// Order is what POST /pay charges.
type Order struct {
	Amount   float64 `json:"amount"`
	Discount string  `json:"discount_code"`
}

// discounts are the codes the shop knows.
var discounts = map[string]*Discount{
	"WELCOME10": {Code: "WELCOME10", Percent: 10},
	"VIP25":     {Code: "VIP25", Percent: 25},
}

// LookupDiscount returns the discount for a code, or nil when there is
// none.
func LookupDiscount(code string) *Discount { return discounts[code] }

// Price computes what an order costs after its discount.
//
// BUG: d is nil for an unknown code and is dereferenced anyway.
func Price(o Order, d *Discount) float64 {
	return o.Amount * (1 - d.Percent/100)
}

// Pay handles POST /pay.
func (s *Shop) Pay(w http.ResponseWriter, r *http.Request) {
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	total := Price(o, LookupDiscount(o.Discount))
	fmt.Fprintf(w, "{\"charged\":%.2f}\n", total)
}
