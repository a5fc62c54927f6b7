package squares

import (
	"reflect"
	"testing"
)

// TestReproEach: every element is squared in its own place (run with
// -race, which reports the goroutines reading the loop's variables).
func TestReproEach(t *testing.T) {
	for n := 0; n < 20; n++ {
		if got := Each([]int{1, 2, 3, 4}); !reflect.DeepEqual(got, []int{1, 4, 9, 16}) {
			t.Fatalf("Each(1..4) = %v, want [1 4 9 16]", got)
		}
	}
}
