package crashtext

import "strings"

// indentOf returns the width of l's leading blanks and the rest of l.
func indentOf(l string) (int, string) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return i, l[i:]
}

// isAtFrame reports whether rest (a line without its indentation) is a
// Java or V8 frame: "at " and a location in parentheses, or a bare V8
// location ending in a line number.
func isAtFrame(rest string) bool {
	r, ok := strings.CutPrefix(rest, "at ")
	if !ok {
		return false
	}
	r = strings.TrimSuffix(strings.TrimRight(r, " "), " {")
	if strings.HasSuffix(r, ")") {
		return strings.IndexByte(r, '(') > 0
	}
	if strings.HasSuffix(r, "]") && strings.IndexByte(r, '(') > 0 {
		return true // logback's " ~[app.jar:1.0]"
	}
	i := strings.LastIndexByte(r, ':')
	return i > 0 && isDigits(r[i+1:]) && strings.IndexByte(r, ' ') < 0
}

// isPyFileLine reports a Python traceback's `  File "x.py", line 3` line.
func isPyFileLine(l string) bool {
	ind, rest := indentOf(l)
	return ind > 0 && strings.HasPrefix(rest, `File "`) && strings.Contains(rest, `", line `)
}

// isHeader reports whether rest is an exception header as Java and V8
// print one: "Type", "Type: message" or "Error [ERR_X]: message", where
// Type is a qualified name or ends in Error, Exception, Throwable or
// Warning, so that a log line is not taken for a header.
func isHeader(rest string) bool {
	rest = strings.TrimPrefix(rest, "Uncaught ")
	i := 0
	for i < len(rest) && isIdentByte(rest[i]) {
		i++
	}
	if i == 0 || rest[0] == '.' || rest[0] >= '0' && rest[0] <= '9' {
		return false
	}
	typ, after := rest[:i], rest[i:]
	if strings.HasPrefix(after, " [") {
		if j := strings.IndexByte(after, ']'); j > 0 {
			after = after[j+1:]
		}
	}
	if after != "" && after != ":" && !strings.HasPrefix(after, ": ") {
		return false
	}
	if strings.Contains(typ, ".") && !strings.HasSuffix(typ, ".") {
		return true
	}
	for _, s := range []string{"Error", "Exception", "Throwable", "Warning"} {
		if strings.HasSuffix(typ, s) {
			return true
		}
	}
	return false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= 'a' && c <= 'z' ||
		c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
