package template

import "strings"

// jtok is one token of Java source and its byte range. Kinds: 'w' a word
// (identifier or keyword), 'n' a number, 's' a string literal or text
// block, 'c' a char literal, 'p' punctuation ("->", "::" and "..." are
// one token; ">>" is two, so generics need no special case), 'm' a
// comment.
type jtok struct {
	kind byte
	s, e int
}

// javaLex splits Java source into tokens, comments included. It never
// fails: an unterminated literal or comment ends at the end of its line
// (or of the file), as javac's own recovery would have it read.
func javaLex(src string) []jtok {
	var out []jtok
	for i := 0; i < len(src); {
		c := src[i]
		s := i
		var k byte
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
			continue
		case strings.HasPrefix(src[i:], "//"):
			k, i = 'm', lineEnd(src, i)
		case strings.HasPrefix(src[i:], "/*"):
			k, i = 'm', after(src, i+2, "*/")
		case strings.HasPrefix(src[i:], `"""`):
			k, i = 's', javaQuoted(src, i+3, `"""`, true)
		case c == '"' || c == '\'':
			k, i = 's', javaQuoted(src, i+1, src[i:i+1], false)
			if c == '\'' {
				k = 'c'
			}
		case isWordByte(c) && !isDigit(c):
			k, i = 'w', wordEnd(src, i)
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			k, i = 'n', javaNumberEnd(src, i)
		default:
			k, i = 'p', i+1
			for _, op := range []string{"->", "::", "..."} {
				if strings.HasPrefix(src[s:], op) {
					i = s + len(op)
				}
			}
		}
		out = append(out, jtok{kind: k, s: s, e: i})
	}
	return out
}

// javaTokens is javaLex without the comments: the code the structure
// is read from.
func javaTokens(src string) []jtok {
	var out []jtok
	for _, t := range javaLex(src) {
		if t.kind != 'm' {
			out = append(out, t)
		}
	}
	return out
}

// javaQuoted is the end of a literal whose body starts at i: after the
// closing quote, or at the line's end when a one-line literal is left
// open. A backslash always takes the next byte, so \" never closes.
func javaQuoted(src string, i int, quote string, multiline bool) int {
	for i < len(src) {
		switch {
		case src[i] == '\\':
			i += 2
		case strings.HasPrefix(src[i:], quote):
			return i + len(quote)
		case src[i] == '\n' && !multiline:
			return i
		default:
			i++
		}
	}
	return len(src)
}

// javaNumberEnd reads a numeric literal: digits, letters (hex digits,
// suffixes, exponent markers), underscores, a dot, and the sign of a
// decimal (e) or hexadecimal (p) exponent.
func javaNumberEnd(src string, i int) int {
	hex := strings.HasPrefix(src[i:], "0x") || strings.HasPrefix(src[i:], "0X")
	for i++; i < len(src); i++ {
		c := src[i]
		prev := src[i-1] | 0x20
		switch {
		case isWordByte(c) || c == '.':
		case (c == '+' || c == '-') && (prev == 'p' && hex || prev == 'e' && !hex):
		default:
			return i
		}
	}
	return i
}

// javaMask blanks comments and the insides of literals (their quotes
// stay), keeping every offset and newline, so braces and keywords found
// in the copy are code.
func javaMask(src string) string {
	b := []byte(src)
	blank := func(s, e int) {
		for i := s; i < e; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	for _, t := range javaLex(src) {
		switch t.kind {
		case 'm':
			blank(t.s, t.e)
		case 's', 'c':
			q := 1
			if strings.HasPrefix(src[t.s:], `"""`) {
				q = 3
			}
			end := t.e - q
			if end < t.s+q || !strings.HasSuffix(src[:t.e], src[t.s:t.s+q]) {
				end = t.e // left open: blank to its end
			}
			blank(t.s+q, end)
		}
	}
	return string(b)
}

// javaCanon is the code in src[s:e] as one string: its tokens without
// comments or layout, a space only between two words. Two monitor
// expressions that differ in spacing or comments read the same.
func javaCanon(src string, s, e int) string {
	var sb strings.Builder
	var last byte
	for _, t := range javaTokens(src[s:e]) {
		word := t.kind == 'w' || t.kind == 'n'
		if word && (last == 'w' || last == 'n') {
			sb.WriteByte(' ')
		}
		sb.WriteString(src[s+t.s : s+t.e])
		last = t.kind
	}
	return sb.String()
}

// isWordByte reports a byte of an identifier: ASCII letters, digits,
// '_', '$', and any byte of a multi-byte UTF-8 letter.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wordEnd is the end of the identifier starting at i.
func wordEnd(src string, i int) int {
	for i < len(src) && isWordByte(src[i]) {
		i++
	}
	return i
}

// lineEnd is the offset of the newline ending i's line, or len(src).
func lineEnd(src string, i int) int {
	if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(src)
}

// lineStart is the offset where i's line begins.
func lineStart(src string, i int) int { return strings.LastIndexByte(src[:i], '\n') + 1 }

// after is the offset just past the first end at or after i, or len(src).
func after(src string, i int, end string) int {
	if j := strings.Index(src[i:], end); j >= 0 {
		return i + j + len(end)
	}
	return len(src)
}
