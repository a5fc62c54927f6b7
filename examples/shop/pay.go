package shop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tagdebug/tag/sdk/go/capture"
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

// Pay handles POST /pay: a fraud check (when FraudURL is set), the price,
// and the charge, stamped with the request's clock.
func (s *Shop) Pay(w http.ResponseWriter, r *http.Request) {
	var o Order
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.fraudCheck(r.Context(), o); err != nil {
		http.Error(w, err.Error(), http.StatusPaymentRequired)
		return
	}
	total := Price(o, LookupDiscount(o.Discount))
	at := capture.Now(r.Context()).UTC().Format(time.RFC3339)
	fmt.Fprintf(w, "{\"charged\":%.2f,\"at\":%q}\n", total, at)
}

// fraudCheck asks the fraud service whether to accept the order.
func (s *Shop) fraudCheck(ctx context.Context, o Order) error {
	if s.FraudURL == "" {
		return nil
	}
	body, _ := json.Marshal(map[string]float64{"amount": o.Amount})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.FraudURL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("fraud check: %w", err)
	}
	defer resp.Body.Close()
	var verdict struct {
		OK bool `json:"ok"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&verdict); err != nil || !verdict.OK {
		return errors.New("payment declined")
	}
	return nil
}
