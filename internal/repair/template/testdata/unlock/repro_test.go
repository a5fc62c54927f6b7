package cache

import "testing"

// TestReproMissThenPut: a miss must leave the cache usable (before the
// fix the Put blocks forever and `go test -timeout` dumps it).
func TestReproMissThenPut(t *testing.T) {
	c := New()
	if _, err := c.Get("absent"); err != ErrMiss {
		t.Fatalf("Get(absent) = %v, want ErrMiss", err)
	}
	c.Put("k", "v")
	if v, err := c.Get("k"); err != nil || v != "v" {
		t.Fatalf("Get(k) = %q, %v", v, err)
	}
}
