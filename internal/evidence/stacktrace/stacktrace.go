// Package stacktrace parses stack-trace text as runtimes print it (Go,
// Java, Python, JavaScript) into frames, innermost first, with exception
// chains.
//
// There is no specification for these formats beyond the runtimes that
// print them, so the parsers follow what the runtimes actually emit:
//
//   - Go: runtime panic and fatal-error output (src/runtime/traceback.go),
//     runtime/debug.Stack, and the "%+v" layout of github.com/pkg/errors
//     (function line, then a tab-indented file:line line).
//   - Java: Throwable.printStackTrace, including "Caused by:",
//     "Suppressed:" and "... N more".
//   - Python: the traceback module's output, including chained exceptions
//     and the 3.11 caret lines.
//   - JavaScript: V8's Error.stack as Node and Chrome print it, including
//     Node's util.inspect "[cause]:" blocks.
//
// testdata/gen.sh produces the fixtures from real runtimes. Parsing is
// linear in the input and bounded by MaxFrames and MaxCauseDepth, because
// the text comes from untrusted telemetry.
package stacktrace

import (
	"errors"
	"fmt"
)

// Language names used in Frame.Lang and Trace.Lang and accepted by
// ParseLang.
const (
	LangGo         = "go"
	LangJava       = "java"
	LangPython     = "python"
	LangJavaScript = "javascript"
)

// Limits that keep hostile input cheap. A trace that hits one is marked
// Truncated rather than rejected, because the frames kept are still the
// most useful ones.
const (
	// MaxFrames is the most frames kept per trace.
	MaxFrames = 1024
	// MaxCauseDepth is the longest cause chain followed, and the deepest
	// nesting of Java suppressed exceptions.
	MaxCauseDepth = 64
	// maxSuppressed is the most suppressed exceptions kept per trace.
	maxSuppressed = 64
	// maxMessage bounds a message in bytes, since multi-line messages are
	// gathered line by line.
	maxMessage = 8 << 10
)

var (
	// ErrUnrecognized means the text is not a stack trace in any
	// supported language.
	ErrUnrecognized = errors.New("stacktrace: no recognizable stack trace")
	// ErrNoFrames means the text looked like a stack trace of the
	// language but no frame could be read from it.
	ErrNoFrames = errors.New("stacktrace: no frames")
	// ErrUnknownLang is returned by ParseLang for a language it does not
	// support.
	ErrUnknownLang = errors.New("stacktrace: unknown language")
)

// Frame is one parsed stack frame.
type Frame struct {
	// Function is the function as the runtime names it, qualified the way
	// the format qualifies it: "main.(*T).M" in Go, "com.x.Foo.bar" in
	// Java, "f" in Python, "Object.build" or "new Foo" in JavaScript (a
	// "[as alias]" suffix is dropped).
	Function string `json:"function,omitempty"`
	// Module is the package, class or module the function belongs to,
	// when the format says so: the Go package path, the Java class. The
	// Python and JavaScript formats do not say, so it is empty there.
	Module string `json:"module,omitempty"`
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
	Lang   string `json:"lang"`
	// InApp is false for runtime, standard-library and third-party frames.
	// See the inApp functions of each language for the heuristics.
	InApp bool `json:"inApp"`
	// Async marks a JavaScript "at async" frame.
	Async bool `json:"async,omitempty"`
}

// Trace is one exception (or panic) with its frames and cause.
type Trace struct {
	Lang string `json:"lang"`
	// Type is the exception class ("java.lang.IllegalStateException",
	// "KeyError", "TypeError"). For Go it is "panic", "runtime.Error" when
	// the message starts with "runtime error: ", "fatal error" for fatal
	// runtime errors, and empty for debug.Stack and error-stack text.
	Type    string `json:"type,omitempty"`
	Message string `json:"message,omitempty"`
	// Frames are innermost (where it was raised) first.
	Frames []Frame `json:"frames"`
	// Cause is the exception this one was caused by, if the text says.
	// Python's implicit context ("During handling of the above exception")
	// counts as a cause too. For a Go panic raised while an earlier one
	// was recovered, Cause is the earlier panic, without frames.
	Cause *Trace `json:"cause,omitempty"`
	// Suppressed holds Java's suppressed exceptions.
	Suppressed []*Trace `json:"suppressed,omitempty"`
	// Goroutine is the Go goroutine ID the frames belong to.
	Goroutine int `json:"goroutine,omitempty"`
	// CreatedBy is the go statement that started the goroutine; it is
	// not a frame of the goroutine itself.
	CreatedBy *Frame `json:"createdBy,omitempty"`
	// Truncated reports that frames were dropped: a limit was hit, or
	// the runtime elided frames that could not be reconstructed.
	Truncated bool `json:"truncated,omitempty"`
}

// Parse detects the language of text and parses it. It never panics; text
// it cannot read yields a Trace with no frames and an error.
func Parse(text string) (*Trace, error) {
	ls := splitLines(text)
	lang := detect(ls)
	if lang == "" {
		return &Trace{}, ErrUnrecognized
	}
	return parseLines(ls, lang)
}

// ParseLang parses text as a stack trace of lang, one of the Lang
// constants, skipping detection. It is for callers that know the runtime,
// e.g. from OpenTelemetry's telemetry.sdk.language.
func ParseLang(text, lang string) (*Trace, error) {
	switch lang {
	case LangGo, LangJava, LangPython, LangJavaScript:
	default:
		return &Trace{}, fmt.Errorf("%w: %q", ErrUnknownLang, lang)
	}
	return parseLines(splitLines(text), lang)
}

func parseLines(ls []string, lang string) (*Trace, error) {
	var t *Trace
	switch lang {
	case LangGo:
		t = parseGo(ls)
	case LangJava:
		t = parseJava(ls)
	case LangPython:
		t = parsePython(ls)
	case LangJavaScript:
		t = parseJS(ls)
	}
	if t == nil {
		t = &Trace{Lang: lang}
	}
	if len(t.Frames) == 0 {
		return t, ErrNoFrames
	}
	return t, nil
}
