package logs

import (
	"strconv"
	"unicode/utf8"
)

// logfmtParser reads one logfmt line: space-separated key=value pairs,
// values bare or double-quoted with Go's escapes (what log/slog's
// TextHandler, go-kit/log, logrus's TextFormatter and Heroku's logfmt
// write). It is lenient where writers differ: a bare value may contain
// '=' or '"' (an unquoted URL), and a key without '=' is a flag.
type logfmtParser struct {
	data   []byte
	pos    int
	fields []field
	buf    []byte
	pairs  int // keys that had '=': a line with none is not logfmt
}

func (p *logfmtParser) parse(line []byte) error {
	p.data, p.pos, p.fields, p.pairs = line, 0, p.fields[:0], 0
	for {
		for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
			p.pos++
		}
		if p.pos >= len(p.data) {
			break
		}
		if err := p.pair(); err != nil {
			return err
		}
	}
	if p.pairs == 0 {
		return &syntaxError{off: 0, msg: "not a logfmt record: no key=value pair"}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func (p *logfmtParser) pair() error {
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if isSpace(c) || c == '=' {
			break
		}
		if c == '"' {
			return &syntaxError{off: p.pos, msg: "logfmt: '\"' in a key"}
		}
		p.pos++
	}
	if p.pos == start {
		return &syntaxError{off: p.pos, msg: "logfmt: '=' without a key"}
	}
	key := p.text(p.data[start:p.pos])
	if p.pos >= len(p.data) || p.data[p.pos] != '=' {
		// A bare key: present, with no value.
		p.fields = append(p.fields, field{key: key, v: val{kind: kBool, b: true}})
		return nil
	}
	p.pos++
	p.pairs++
	if p.pos < len(p.data) && p.data[p.pos] == '"' {
		s, err := p.quoted()
		if err != nil {
			return err
		}
		p.fields = append(p.fields, field{key: key, v: val{kind: kStr, s: s}})
		return nil
	}
	vs := p.pos
	for p.pos < len(p.data) && !isSpace(p.data[p.pos]) {
		p.pos++
	}
	p.fields = append(p.fields, field{key: key, v: val{kind: kBare, s: p.text(p.data[vs:p.pos])}})
	return nil
}

// text copies b into a string, interning known keys and replacing
// invalid UTF-8.
func (p *logfmtParser) text(b []byte) string {
	if k, ok := internedKeys[string(b)]; ok {
		return k
	}
	if !utf8.Valid(b) {
		return toValidUTF8(b)
	}
	return string(b)
}

// quoted reads a double-quoted value at p.pos with the escapes of Go's
// strconv.Quote, which slog's TextHandler uses, and JSON's "\/".
func (p *logfmtParser) quoted() (string, error) {
	open := p.pos
	p.pos++
	b := p.buf[:0]
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.buf = b
			if !utf8.Valid(b) {
				return toValidUTF8(b), nil
			}
			return string(b), nil
		case c == '\\':
			var err error
			if b, err = p.escape(b); err != nil {
				return "", err
			}
		default:
			b = append(b, c)
			p.pos++
		}
	}
	return "", &syntaxError{off: open, msg: "logfmt: unterminated quoted value"}
}

// escape decodes the escape at p.pos ('\\') onto b.
func (p *logfmtParser) escape(b []byte) ([]byte, error) {
	at := p.pos
	p.pos++
	if p.pos >= len(p.data) {
		return b, &syntaxError{off: at, msg: "logfmt: unterminated escape"}
	}
	c := p.data[p.pos]
	p.pos++
	if r, ok := simpleEscapes[c]; ok {
		return append(b, r), nil
	}
	n := 0
	switch c {
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return b, &syntaxError{off: at, msg: "logfmt: invalid escape " + strconv.Quote(string(p.data[at:p.pos]))}
	}
	if p.pos+n > len(p.data) {
		return b, &syntaxError{off: at, msg: "logfmt: truncated escape"}
	}
	var r rune
	for _, h := range p.data[p.pos : p.pos+n] {
		d := unhex(h)
		if d < 0 {
			return b, &syntaxError{off: at, msg: "logfmt: invalid hex digit in escape"}
		}
		r = r<<4 | rune(d)
	}
	p.pos += n
	if c == 'x' {
		// \xHH is a byte; strconv.Quote writes it for invalid UTF-8.
		return append(b, byte(r)), nil
	}
	return utf8.AppendRune(b, r), nil
}

var simpleEscapes = map[byte]byte{
	'"': '"', '\\': '\\', '/': '/', 'a': '\a', 'b': '\b', 'f': '\f',
	'n': '\n', 'r': '\r', 't': '\t', 'v': '\v',
}

func toValidUTF8(b []byte) string {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		out = utf8.AppendRune(out, r)
		i += n
	}
	return string(out)
}
