package async

import (
	"errors"
	"testing"
)

func TestGoReturnsTheResult(t *testing.T) {
	wait := Go(func() int { return 42 })
	if got := wait(); got != 42 {
		t.Fatalf("got %d", got)
	}
	if got := wait(); got != 42 {
		t.Fatalf("second wait got %d", got)
	}
}

// TestGoRaisesThePanicOnTheCaller: the panic comes out of wait, on the
// test's goroutine, where recover sees it; the program does not crash.
func TestGoRaisesThePanicOnTheCaller(t *testing.T) {
	boom := errors.New("boom")
	wait := Go(func() int { panic(boom) })
	defer func() {
		if r := recover(); r != boom {
			t.Fatalf("recovered %v, want the computation's panic", r)
		}
	}()
	wait()
	t.Fatal("wait returned after a panic")
}
