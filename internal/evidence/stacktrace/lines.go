package stacktrace

import "strings"

// splitLines splits text into lines without copying them. A trailing "\r"
// is dropped so that text copied from Windows tools parses the same.
func splitLines(text string) []string {
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// indentOf returns the width of l's leading blanks and the rest of l.
// Tabs and spaces count one each: only comparisons between lines of the
// same trace matter, and those use one kind of blank.
func indentOf(l string) (int, string) {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return i, l[i:]
}

// trimBlank removes leading and trailing blanks.
func trimBlank(l string) string {
	_, l = indentOf(l)
	return strings.TrimRight(l, " \t")
}

// atoi parses a non-negative decimal of at most 9 digits; anything else
// yields ok false, so hostile numbers cannot overflow.
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

// cutLineCol splits "loc:line:col" or "loc:line" from the right. It
// returns loc unchanged and zeros when no number ends it.
func cutLineCol(loc string) (file string, line, col int) {
	i := strings.LastIndexByte(loc, ':')
	if i < 0 {
		return loc, 0, 0
	}
	n, ok := atoi(loc[i+1:])
	if !ok {
		return loc, 0, 0
	}
	j := strings.LastIndexByte(loc[:i], ':')
	if j >= 0 {
		if m, ok := atoi(loc[j+1 : i]); ok {
			return loc[:j], m, n
		}
	}
	return loc[:i], n, 0
}

// MatchingOpen returns the index of the '(' that matches the ')' ending
// s, or -1. Nesting is counted so that names with parentheses, like Go
// receivers or V8 eval origins, stay whole.
func MatchingOpen(s string) int {
	if !strings.HasSuffix(s, ")") {
		return -1
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitHeader splits an exception header "Type: message" or "Type". The
// type must look like a qualified identifier (letters, digits, '_', '$',
// '.'), optionally followed by a Node error code such as " [ERR_X]", so
// that ordinary prose is not taken for a header.
func splitHeader(l string) (typ, msg string, ok bool) {
	i := 0
	for i < len(l) && isIdentByte(l[i]) {
		i++
	}
	if i == 0 || l[0] == '.' || (l[0] >= '0' && l[0] <= '9') {
		return "", "", false
	}
	typ = l[:i]
	rest := l[i:]
	if strings.HasPrefix(rest, " [") {
		if j := strings.IndexByte(rest, ']'); j > 0 {
			typ, rest = l[:i+j+1], rest[j+1:]
		}
	}
	switch {
	case rest == "":
		return typ, "", true
	case rest == ":":
		return typ, "", true
	case strings.HasPrefix(rest, ": "):
		return typ, rest[2:], true
	}
	return "", "", false
}

func isIdentByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= 'a' && c <= 'z' ||
		c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// looksLikeExceptionType accepts type names of exceptions as Java and
// JavaScript name them: qualified names, or names ending in Error,
// Exception, Throwable or Warning.
func looksLikeExceptionType(typ string) bool {
	if i := strings.IndexByte(typ, ' '); i >= 0 {
		typ = typ[:i]
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

// joinMessage joins the first line of a message with its continuation
// lines, up to maxMessage bytes.
func joinMessage(first string, more []string) string {
	if len(more) == 0 {
		return clip(first)
	}
	var b strings.Builder
	b.WriteString(clip(first))
	for _, l := range more {
		if b.Len()+1+len(l) > maxMessage {
			break
		}
		b.WriteByte('\n')
		b.WriteString(l)
	}
	return b.String()
}

// clip bounds a message taken from a single line.
func clip(s string) string {
	if len(s) > maxMessage {
		return s[:maxMessage]
	}
	return s
}
