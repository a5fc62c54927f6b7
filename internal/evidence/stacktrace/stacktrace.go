// Package stacktrace parses stack-trace text as runtimes print it (Go,
// Java, Python, JavaScript) into frames, innermost first, with exception
// chains.
package stacktrace

// Frame is one parsed stack frame.
type Frame struct {
	Function string
	// Module is the package, class or module the function belongs to,
	// when the format says so.
	Module string
	File   string
	Line   int
	Column int
	Lang   string
	// InApp is false for runtime, standard-library and third-party frames.
	InApp bool
	// Async marks a JavaScript "at async" frame.
	Async bool
}

// Trace is one exception (or panic) with its frames and cause.
type Trace struct {
	Lang    string
	Type    string
	Message string
	// Frames are innermost (where it was raised) first.
	Frames []Frame
	// Cause is the exception this one was caused by, if the text says.
	Cause *Trace
}

// Parse detects the language of text and parses it. It never panics; text
// it cannot read yields a Trace with no frames and an error.
func Parse(text string) (*Trace, error) {
	return &Trace{}, nil
}
