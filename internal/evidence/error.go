package evidence

import (
	"bytes"
	"errors"
	"fmt"
)

// Error is a decoding failure positioned in its artifact. Offset is a byte
// offset (-1 when unknown); Line and Column are 1-based and set for text
// formats.
type Error struct {
	File   string
	Offset int64
	Line   int
	Column int
	Msg    string
	Err    error
}

// Error renders "file:line:col (byte N): msg", or "file: byte N: msg" for
// binary formats.
func (e *Error) Error() string {
	var b bytes.Buffer
	b.WriteString(e.File)
	switch {
	case e.Line > 0:
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
		if e.Offset >= 0 {
			fmt.Fprintf(&b, " (byte %d)", e.Offset)
		}
	case e.Offset >= 0:
		fmt.Fprintf(&b, ": byte %d", e.Offset)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil && e.Msg == "" {
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrBadInput marks every positioned decoding error, so callers can tell
// bad input (exit code 2) from an internal failure.
var ErrBadInput = errors.New("bad input")

// Is makes errors.Is(err, ErrBadInput) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrBadInput }

// Errorf returns an *Error at byte offset off of in (use -1 when the
// offset is unknown). For text inputs the line and column are computed.
func Errorf(in *Input, off int64, format string, args ...any) *Error {
	e := &Error{File: in.Name, Offset: off, Msg: fmt.Sprintf(format, args...)}
	if off >= 0 && off <= int64(len(in.Data)) && isText(in.Data) {
		e.Line, e.Column = LineCol(in.Data, off)
	}
	if len(args) > 0 {
		if err, ok := args[len(args)-1].(error); ok {
			e.Err = err
		}
	}
	return e
}

// LineCol converts a byte offset into 1-based line and column numbers.
func LineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	prefix := data[:off]
	line = bytes.Count(prefix, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(prefix, '\n') + 1) + 1
	return line, col
}

// isText reports whether data looks like text rather than a binary
// encoding (no NUL and few control bytes in its head).
func isText(data []byte) bool {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	for _, c := range head {
		if c == 0 || (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
			return false
		}
	}
	return true
}

// OffsetOf returns the offset of the first occurrence of needle in in's
// data, or -1. Decoders use it to point at a semantic problem (a bad ID, a
// cycle) when the parser that found it kept no position.
func OffsetOf(in *Input, needle []byte) int64 {
	if len(needle) == 0 {
		return -1
	}
	return int64(bytes.Index(in.Data, needle))
}
