// Package async runs a computation on another goroutine for a caller that
// has other work to do meanwhile, and hands back its result, or its
// panic, on the caller's goroutine.
//
// The ingest path uses it to put a second core to work within one
// request (hashing while decoding, detecting incidents while storing).
// A panic in such a computation is a bug, but evidence must not be able
// to turn it into a crash of the server: raised again where the caller
// waits, it reaches the recover that guards the request.
package async

import "sync"

// Go starts fn on a new goroutine and returns a function that waits for
// it and returns its result. If fn panicked, the wait panics with the
// same value. The wait may be called any number of times.
func Go[T any](fn func() T) (wait func() T) {
	type outcome struct {
		v        T
		panicked bool
		p        any
	}
	ch := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() { ch <- o }()
		defer func() {
			if r := recover(); r != nil {
				o.panicked, o.p = true, r
			}
		}()
		o.v = fn()
	}()
	return sync.OnceValue(func() T {
		o := <-ch
		if o.panicked {
			panic(o.p)
		}
		return o.v
	})
}
