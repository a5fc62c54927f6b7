package scc

import (
	"slices"
	"testing"
)

func TestComponents(t *testing.T) {
	// 0 → 1 → 2 → 0 is a cycle; 3 → 4 → 3 another, reached from it;
	// 5 waits for itself; 6 is alone.
	succ := [][]int{{1}, {2}, {0, 3}, {4}, {3}, {5}, {}}
	got := Components(len(succ), func(v int) []int { return succ[v] })
	want := [][]int{{3, 4}, {0, 1, 2}, {5}, {6}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// TestComponentsDeepChain: a chain far longer than a recursive version's
// stack would like, closed into one cycle.
func TestComponentsDeepChain(t *testing.T) {
	const n = 1 << 20
	got := Components(n, func(v int) []int { return []int{(v + 1) % n} })
	if len(got) != 1 || len(got[0]) != n || got[0][0] != 0 || got[0][n-1] != n-1 {
		t.Fatalf("%d components; first of %d vertices", len(got), len(got[0]))
	}
}
