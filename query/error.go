package query

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a problem with a query, located in its text. Both parse and
// evaluation errors are *Error values.
type Error struct {
	// Pos is the byte offset in the query where the problem is.
	Pos int
	// Line and Col are Pos as a 1-based line and column; Col counts
	// characters, not bytes.
	Line, Col int
	// Msg says what is wrong.
	Msg string
	// Query is the query's text.
	Query string
	// Err is an underlying cause, such as [ErrUnavailable] or
	// [ErrNoMatch], for errors.Is.
	Err error
}

// Sentinel causes carried by [Error].
var (
	// ErrUnavailable: the query names an operation that parses but has
	// no implementation in this [Env] (an analysis not registered).
	ErrUnavailable = errors.New("operation not available")
	// ErrNoMatch: a from= selector matched no node of the graph.
	ErrNoMatch = errors.New("no node matches")
)

// Error returns "line:col: msg" followed by the query line and a caret
// under the column.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d:%d: %s", e.Line, e.Col, e.Msg)
	if line, ok := lineAt(e.Query, e.Line); ok {
		b.WriteString("\n  ")
		b.WriteString(line)
		b.WriteString("\n  ")
		b.WriteString(caretPad(line, e.Col))
		b.WriteByte('^')
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// newError returns an *Error at byte offset pos of src.
func newError(src string, pos int, cause error, format string, args ...any) *Error {
	pos = max(0, min(pos, len(src)))
	line, col := 1, 1
	for _, r := range src[:pos] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return &Error{Pos: pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...), Query: src, Err: cause}
}

func lineAt(src string, n int) (string, bool) {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return "", false
	}
	return strings.TrimRight(lines[n-1], "\r"), true
}

// caretPad returns the whitespace that puts a caret under column col of
// line: tabs stay tabs so the caret lines up however tabs are shown.
func caretPad(line string, col int) string {
	var b strings.Builder
	for i := 0; i < col-1 && line != ""; i++ {
		r, size := utf8.DecodeRuneInString(line)
		line = line[size:]
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	for i := b.Len(); i < col-1; i++ {
		b.WriteByte(' ')
	}
	return b.String()
}
