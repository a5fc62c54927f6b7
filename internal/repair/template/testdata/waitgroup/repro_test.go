package sum

import (
	"testing"
	"time"
)

// TestReproSquaresWaits: Squares must wait for every worker (run with
// -race, which reports the workers' writes racing with Squares' read
// after Wait). Workers that Wait did not count run after Squares
// returns, so the test gives them time to, while it is still alive.
func TestReproSquaresWaits(t *testing.T) {
	wrong, last := 0, 0
	for range 50 {
		if got := Squares([]int{1, 2, 3, 4}); got != 30 {
			wrong, last = wrong+1, got
		}
	}
	time.Sleep(50 * time.Millisecond)
	if wrong > 0 {
		t.Fatalf("%d of 50 Squares(1..4) returned early (last %d, want 30): Wait did not wait for the workers", wrong, last)
	}
}
