package query

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tDuration
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tDot
	tAssign // =
	tEq     // ==
	tNe     // !=
	tLt     // <
	tLe     // <=
	tGt     // >
	tGe     // >=
	tMatch  // =~
	tNMatch // !~
	tAnd    // &&
	tOr     // ||
	tNot    // !
	tMinus  // -
)

var tokNames = [...]string{
	tEOF: "end of query", tIdent: "name", tString: "string", tNumber: "number", tDuration: "duration",
	tLParen: "'('", tRParen: "')'", tLBrack: "'['", tRBrack: "']'", tComma: "','", tDot: "'.'",
	tAssign: "'='", tEq: "'=='", tNe: "'!='", tLt: "'<'", tLe: "'<='", tGt: "'>'", tGe: "'>='",
	tMatch: "'=~'", tNMatch: "'!~'", tAnd: "'&&'", tOr: "'||'", tNot: "'!'", tMinus: "'-'",
}

func (k tokKind) String() string { return tokNames[k] }

type token struct {
	kind tokKind
	pos  int
	text string // the source text of the token
	str  string // a string literal's value
	num  float64
	dur  time.Duration
}

// describe names a token for "expected X, found Y" messages.
func (t token) describe() string {
	switch t.kind {
	case tIdent:
		return "name " + strconv.Quote(t.text)
	case tString, tNumber, tDuration:
		return t.kind.String() + " " + t.text
	}
	return t.kind.String()
}

// lex splits src into tokens, ending with tEOF.
func lex(src string) ([]token, *Error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '#':
			// A comment runs to the end of the line.
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tIdent, pos: i, text: src[i:j]})
			i = j
			continue
		case c >= '0' && c <= '9':
			t, err := lexNumber(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.text)
			continue
		case c == '\'' || c == '"':
			t, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.text)
			continue
		}
		k, n := lexPunct(src[i:])
		if n == 0 {
			r, _ := utf8.DecodeRuneInString(src[i:])
			return nil, newError(src, i, nil, "unexpected character %q", r)
		}
		toks = append(toks, token{kind: k, pos: i, text: src[i : i+n]})
		i += n
	}
	return append(toks, token{kind: tEOF, pos: len(src)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || c >= '0' && c <= '9' }

var puncts = []struct {
	text string
	kind tokKind
}{
	{"==", tEq}, {"!=", tNe}, {"<=", tLe}, {">=", tGe}, {"=~", tMatch}, {"!~", tNMatch},
	{"&&", tAnd}, {"||", tOr}, {"(", tLParen}, {")", tRParen}, {"[", tLBrack}, {"]", tRBrack},
	{",", tComma}, {".", tDot}, {"=", tAssign}, {"<", tLt}, {">", tGt}, {"!", tNot}, {"-", tMinus},
}

func lexPunct(s string) (tokKind, int) {
	for _, p := range puncts {
		if strings.HasPrefix(s, p.text) {
			return p.kind, len(p.text)
		}
	}
	return tEOF, 0
}

// lexNumber reads a number, or a duration when a unit follows the digits
// directly ("2s", "1.5ms", "1h30m").
func lexNumber(src string, i int) (token, *Error) {
	j := i
	digits := func() {
		for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
			j++
		}
	}
	digits()
	if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
		j++
		digits()
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && src[k] >= '0' && src[k] <= '9' {
			j = k
			digits()
		}
	}
	if j < len(src) && (isIdentStart(src[j]) || strings.HasPrefix(src[j:], "µ")) {
		for j < len(src) && (isIdentPart(src[j]) || src[j] == '.' || strings.HasPrefix(src[j:], "µ")) {
			if strings.HasPrefix(src[j:], "µ") {
				j += len("µ")
			} else {
				j++
			}
		}
		text := src[i:j]
		d, err := time.ParseDuration(strings.ReplaceAll(text, "_", ""))
		if err != nil {
			return token{}, newError(src, i, nil, "bad duration %s (units: ns, us, ms, s, m, h)", text)
		}
		return token{kind: tDuration, pos: i, text: text, dur: d}, nil
	}
	text := src[i:j]
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil || strings.HasSuffix(text, "_") || strings.Contains(text, "__") {
		return token{}, newError(src, i, nil, "bad number %s", text)
	}
	return token{kind: tNumber, pos: i, text: text, num: f}, nil
}

// lexString reads a quoted string. The escapes \\, \', \", \n, \t and \r
// are decoded; any other backslash is kept as written, so regular
// expressions such as '\d+' need no doubling.
func lexString(src string, i int) (token, *Error) {
	quote := src[i]
	var b strings.Builder
	for j := i + 1; j < len(src); j++ {
		c := src[j]
		switch {
		case c == quote:
			return token{kind: tString, pos: i, text: src[i : j+1], str: b.String()}, nil
		case c == '\n':
			return token{}, newError(src, i, nil, "string not terminated before the end of the line")
		case c == '\\' && j+1 < len(src):
			j++
			switch e := src[j]; e {
			case '\\', '\'', '"':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
		}
	}
	return token{}, newError(src, i, nil, "string not terminated")
}
