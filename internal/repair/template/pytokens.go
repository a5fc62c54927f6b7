package template

import "strings"

// ptok is one token of Python source and its byte range. Kinds: 'w' a
// name or keyword, 'n' a number, 's' a string (prefix and quotes
// included), 'p' an operator or delimiter, '\n' the end of a logical
// line (s == e).
type ptok struct {
	kind byte
	s, e int
	// fields are an f-string's replacement fields, each its
	// expression's tokens: code inside a string.
	fields [][]ptok
}

// pyLexer reads Python the way its tokenizer does where it matters
// here: comments and strings (prefixes, triple quotes, escapes,
// f-string fields) are not code, a backslash-newline or an open
// bracket continues the logical line.
type pyLexer struct {
	src string
	i   int
}

// pyTokens is src's tokens, logical lines ended by '\n' tokens.
func pyTokens(src string) []ptok {
	l := &pyLexer{src: src}
	return l.tokens(false)
}

// tokens reads to the end of the source or, inside an f-string field
// (field), to the `}`, `!conversion`, `:spec` or `=` that ends the
// field's expression.
func (l *pyLexer) tokens(field bool) []ptok {
	var out []ptok
	depth := 0
	for l.i < len(l.src) {
		c := l.src[l.i]
		switch {
		case c == '\n':
			if !field && depth == 0 && len(out) > 0 && out[len(out)-1].kind != '\n' {
				out = append(out, ptok{kind: '\n', s: l.i, e: l.i})
			}
			l.i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			l.i++
		case c == '\\' && (strings.HasPrefix(l.src[l.i+1:], "\n") || strings.HasPrefix(l.src[l.i+1:], "\r\n")):
			l.i += 2
		case c == '#':
			l.i = lineEnd(l.src, l.i)
		case field && depth == 0 && l.fieldEnd():
			return out
		case isWordByte(c) && c != '$' && !isDigit(c):
			s := l.i
			l.i = wordEnd(l.src, l.i)
			if l.i < len(l.src) && (l.src[l.i] == '"' || l.src[l.i] == '\'') && pyStringPrefix(l.src[s:l.i]) {
				out = append(out, l.str(s))
			} else {
				out = append(out, ptok{kind: 'w', s: s, e: l.i})
			}
		case isDigit(c) || c == '.' && l.i+1 < len(l.src) && isDigit(l.src[l.i+1]):
			s := l.i
			l.i = pyNumberEnd(l.src, l.i)
			out = append(out, ptok{kind: 'n', s: s, e: l.i})
		case c == '"' || c == '\'':
			out = append(out, l.str(l.i))
		default:
			s := l.i
			l.i += pyOpLen(l.src[l.i:])
			switch c {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				depth = max(depth-1, 0)
			}
			out = append(out, ptok{kind: 'p', s: s, e: l.i})
		}
	}
	if !field && len(out) > 0 && out[len(out)-1].kind != '\n' {
		out = append(out, ptok{kind: '\n', s: len(l.src), e: len(l.src)})
	}
	return out
}

// fieldEnd reports whether l.i ends an f-string field's expression: `}`,
// `:` (a format spec; `:=` too, as in Python), `!` not of `!=`, or the
// `=` of a self-documenting field (`{x=}`), followed by `}`, `!` or `:`.
func (l *pyLexer) fieldEnd() bool {
	rest := l.src[l.i:]
	switch rest[0] {
	case '}', ':':
		return true
	case '!':
		return !strings.HasPrefix(rest, "!=")
	case '=':
		t := strings.TrimLeft(rest[1:], " \t")
		return t != "" && strings.IndexByte("}!:", t[0]) >= 0
	}
	return false
}

// pyStringPrefix reports a string prefix: r, u, b, f, t and their pairs,
// in any case.
func pyStringPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "t", "br", "rb", "fr", "rf", "tr", "rt":
		return true
	}
	return false
}

// str reads the string whose prefix starts at s (l.i at its quote).
func (l *pyLexer) str(s int) ptok {
	prefix := strings.ToLower(l.src[s:l.i])
	fstr := strings.ContainsAny(prefix, "ft")
	quote := l.src[l.i : l.i+1]
	if strings.HasPrefix(l.src[l.i:], strings.Repeat(quote, 3)) {
		quote = strings.Repeat(quote, 3)
	}
	t := ptok{kind: 's', s: s}
	for l.i += len(quote); l.i < len(l.src); {
		rest := l.src[l.i:]
		switch {
		case rest[0] == '\\' && strings.HasPrefix(rest, `\N{`) && !strings.Contains(prefix, "r"):
			l.i = after(l.src, l.i, "}") // a named character, not a field
		case rest[0] == '\\':
			l.i += 2
		case strings.HasPrefix(rest, quote):
			l.i += len(quote)
			t.e = l.i
			return t
		case rest[0] == '\n' && len(quote) == 1:
			t.e = l.i // left open: it ends with its line
			return t
		case fstr && (strings.HasPrefix(rest, "{{") || strings.HasPrefix(rest, "}}")):
			l.i += 2
		case fstr && rest[0] == '{':
			l.i++
			t.fields = append(t.fields, l.field()...)
		default:
			l.i++
		}
	}
	t.e = min(l.i, len(l.src))
	l.i = t.e
	return t
}

// field reads an f-string replacement field after its `{`: the
// expression, then `=`, `!r`, and a format spec whose own `{fields}`
// are fields too.
func (l *pyLexer) field() [][]ptok {
	out := [][]ptok{l.tokens(true)}
	if l.i < len(l.src) && l.src[l.i] == '=' {
		l.i++
		for l.i < len(l.src) && (l.src[l.i] == ' ' || l.src[l.i] == '\t') {
			l.i++
		}
	}
	if l.i < len(l.src) && l.src[l.i] == '!' {
		l.i = wordEnd(l.src, l.i+1)
	}
	if l.i < len(l.src) && l.src[l.i] == ':' {
		for l.i++; l.i < len(l.src) && l.src[l.i] != '}' && l.src[l.i] != '\n'; {
			if l.src[l.i] == '{' {
				l.i++
				out = append(out, l.field()...)
				continue
			}
			l.i++
		}
	}
	if l.i < len(l.src) && l.src[l.i] == '}' {
		l.i++
	}
	return out
}

// pyNumberEnd reads a numeric literal: digits, letters (bases, exponent,
// j), underscores, a dot, and an exponent's sign.
func pyNumberEnd(src string, i int) int {
	radix := len(src) > i+1 && src[i] == '0' && strings.IndexByte("xXoObB", src[i+1]) >= 0
	for i++; i < len(src); i++ {
		c := src[i]
		switch {
		case isWordByte(c) && c != '$' || c == '.':
		case (c == '+' || c == '-') && src[i-1]|0x20 == 'e' && !radix:
		default:
			return i
		}
	}
	return i
}

// pyOps are Python's operators longer than one byte, longest first.
var pyOps = []string{"**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<", ">>",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@="}

func pyOpLen(s string) int {
	for _, op := range pyOps {
		if strings.HasPrefix(s, op) {
			return len(op)
		}
	}
	return 1
}
