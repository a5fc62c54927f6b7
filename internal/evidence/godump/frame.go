package godump

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/stacktrace"
)

// stackFrame is the frame type the threads package takes.
type stackFrame = stacktrace.Frame

func itoa(n int) string { return strconv.Itoa(n) }

// frame is a parsed stack frame plus the raw argument list the runtime
// printed, which lock analysis reads and everything else ignores.
type frame struct {
	stacktrace.Frame
	// args is the text between the parentheses of the function line:
	// "0xc0000140a0, {0x4a7ea0?, 0x47616c?}", "..." for an inlined call,
	// "" when none were printed (race reports never print them).
	args string
}

// inlined reports whether the runtime printed "(...)": the call was
// inlined and its arguments are not available.
func (f *frame) inlined() bool { return f.args == "..." }

// splitCall splits a function line "pkg.(*T).M(0x1, ...)" into the
// function name and the argument text. The name must be non-empty and
// free of blanks, which is what separates a frame from prose or a
// register dump that happens to end in ")".
func splitCall(l string) (fn, args string, ok bool) {
	if len(l) < 3 || l[len(l)-1] != ')' {
		return "", "", false
	}
	open := stacktrace.MatchingOpen(l)
	if open <= 0 {
		return "", "", false
	}
	fn = l[:open]
	if strings.ContainsAny(fn, " \t") {
		return "", "", false
	}
	return fn, l[open+1 : len(l)-1], true
}

// fileLine reads the location line under a function line:
// "\t/path/file.go:12 +0x1d", optionally followed by GOTRACEBACK=system's
// "fp=0x... sp=0x... pc=0x..."; race reports indent with spaces and may
// omit the offset. Paths may contain blanks, so trailing fields are
// dropped from the right only while they look like offsets or registers.
func fileLine(l string) (file string, line int, ok bool) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	if i == 0 {
		return "", 0, false
	}
	s := strings.TrimRight(l[i:], " ")
	for range 4 {
		j := strings.LastIndexByte(s, ' ')
		if j < 0 {
			break
		}
		f := s[j+1:]
		if !strings.HasPrefix(f, "+0x") && !strings.HasPrefix(f, "fp=") &&
			!strings.HasPrefix(f, "sp=") && !strings.HasPrefix(f, "pc=") {
			break
		}
		s = s[:j]
	}
	c := strings.LastIndexByte(s, ':')
	if c <= 0 {
		return "", 0, false
	}
	n, ok := atoi(s[c+1:])
	if !ok {
		return "", 0, false
	}
	return s[:c], n, true
}

// newFrame builds a frame from a function name and its location.
func newFrame(fn, args, file string, line int) frame {
	fn = evidence.Clip(fn)
	f := frame{Frame: stacktrace.Frame{Function: fn, Module: stacktrace.GoPackage(fn), File: evidence.Clip(file),
		Line: line, Lang: stacktrace.LangGo}, args: args}
	f.InApp = stacktrace.GoInApp(f.Module, f.File)
	return f
}

// atoi parses a non-negative decimal of at most 9 digits, so hostile
// numbers can neither overflow nor pass.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// hexWords calls fn for every "0x..." word of an argument list, with
// whether the runtime marked it inaccurate with a trailing "?". Words of
// more than 16 digits are not addresses and are skipped.
func hexWords(args string, fn func(v uint64, inexact bool)) {
	for i := 0; i+2 < len(args); i++ {
		if args[i] != '0' || args[i+1] != 'x' || (i > 0 && isHexDigit(args[i-1])) {
			continue
		}
		j := i + 2
		var v uint64
		for j < len(args) && isHexDigit(args[j]) {
			v = v<<4 | uint64(unhex(args[j]))
			j++
		}
		if n := j - i - 2; n > 0 && n <= 16 {
			fn(v, j < len(args) && args[j] == '?')
		}
		i = j
	}
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
