//go:build ignore

// go_errstack prints an error with the "%+v" stack layout that
// github.com/pkg/errors and similar packages use: the message, then for
// each caller its function on one line and "\tfile:line" on the next.
// The module has no such dependency, so the layout is produced here from
// runtime.Callers directly.
package main

import (
	"fmt"
	"os"
	"runtime"
)

type stackErr struct {
	msg string
	pcs []uintptr
}

func (e *stackErr) Error() string { return e.msg }

func (e *stackErr) Format(s fmt.State, verb rune) {
	fmt.Fprint(s, e.msg)
	if verb != 'v' || !s.Flag('+') {
		return
	}
	frames := runtime.CallersFrames(e.pcs)
	for {
		f, more := frames.Next()
		fmt.Fprintf(s, "\n%s\n\t%s:%d", f.Function, f.File, f.Line)
		if !more {
			return
		}
	}
}

func newErr(msg string) error {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(2, pcs)
	return &stackErr{msg: msg, pcs: pcs[:n]}
}

func load(name string) error { return newErr("open " + name + ": no such file") }

func main() {
	fmt.Fprintf(os.Stderr, "%+v\n", load("config.yaml"))
}
