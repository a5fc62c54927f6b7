//go:build ignore

// go_repanic recovers a panic and panics again, once with a new value
// and once with the same value, so both "[recovered]" forms appear.
package main

import "os"

func inner() { panic("first failure") }

func wrapNew() {
	defer func() {
		if r := recover(); r != nil {
			panic("second failure")
		}
	}()
	inner()
}

func wrapSame() {
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
	}()
	inner()
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "same" {
		wrapSame()
	}
	wrapNew()
}
