// Package cart prices orders with coupons.
package cart

import "math"

// Coupon is a percentage off.
type Coupon struct {
	Code    string
	Percent float64
}

var coupons = map[string]*Coupon{
	"TEN":    {Code: "TEN", Percent: 10},
	"HALF":   {Code: "HALF", Percent: 50},
	"ZERO":   {Code: "ZERO", Percent: 0},
	"TWENTY": {Code: "TWENTY", Percent: 20},
}

// Lookup returns the coupon for code, or nil when there is none.
func Lookup(code string) *Coupon {
	return coupons[code]
}

// Total applies the coupon named code to amount.
//
// BUG: an unknown code makes c nil, and c is dereferenced anyway.
func Total(amount float64, code string) float64 {
	c := Lookup(code)
	return Round(amount * (1 - c.Percent/100))
}

// Round rounds to cents.
func Round(x float64) float64 {
	return math.Round(x*100) / 100
}
