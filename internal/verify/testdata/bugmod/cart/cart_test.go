package cart

import "testing"

func TestTotalKnownCoupon(t *testing.T) {
	if got := Total(80, "TEN"); got != 72 {
		t.Fatalf("Total(80, TEN) = %v, want 72", got)
	}
}

func TestRound(t *testing.T) {
	if got := Round(1.005 + 1); got != 2.01 {
		t.Fatalf("Round = %v", got)
	}
}
