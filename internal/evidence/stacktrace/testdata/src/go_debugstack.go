//go:build ignore

// go_debugstack prints runtime/debug.Stack() from a method, the form
// programs log when they recover a panic themselves.
package main

import (
	"os"
	"runtime/debug"
)

type handler struct{}

func (handler) serve() { os.Stderr.Write(debug.Stack()) }

func main() { handler{}.serve() }
