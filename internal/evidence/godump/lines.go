package godump

import "strings"

// lineScanner walks text one line at a time without copying, keeping the
// byte offset and 1-based number of each line for error positions. A
// trailing "\r" is dropped so that dumps saved on Windows read the same.
type lineScanner struct {
	text string
	next int // offset of the line after the current one

	line  string // current line
	start int    // its offset
	num   int    // its number

	peeked        bool
	pLine         string
	pStart, pNext int
}

// scan advances to the next line, reporting false at the end.
func (s *lineScanner) scan() bool {
	if s.peeked {
		s.peeked = false
		s.line, s.start, s.next = s.pLine, s.pStart, s.pNext
		s.num++
		return true
	}
	if s.next >= len(s.text) {
		return false
	}
	s.line, s.start, s.next = cut(s.text, s.next)
	s.num++
	return true
}

// peek returns the line after the current one without advancing.
func (s *lineScanner) peek() (string, bool) {
	if s.peeked {
		return s.pLine, true
	}
	if s.next >= len(s.text) {
		return "", false
	}
	s.pLine, s.pStart, s.pNext = cut(s.text, s.next)
	s.peeked = true
	return s.pLine, true
}

func cut(text string, from int) (line string, start, next int) {
	i := strings.IndexByte(text[from:], '\n')
	if i < 0 {
		line, next = text[from:], len(text)
	} else {
		line, next = text[from:from+i], from+i+1
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, from, next
}
