package logs

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/tagdebug/tag/internal/evidence"
)

// syntaxError is a problem at a byte offset within one line; the decoder
// turns it into an *evidence.Error with the file's line and column.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// jsonParser reads one JSON object per line into flattened fields. It is
// written for this job rather than built on encoding/json because it
// must flatten as it goes, keep numbers as text (64-bit IDs, nanosecond
// timestamps), report positions, and reuse its buffers from line to line;
// it accepts exactly what json.Valid accepts (the fuzz test checks).
type jsonParser struct {
	data   []byte
	pos    int
	fields []field
	elems  []val    // arena: elements of arrays
	mems   []member // arena: members of objects inside arrays
	pendV  []val
	pendM  []member
	buf    []byte
}

// reset prepares the parser for a new line, keeping its buffers.
func (p *jsonParser) reset(line []byte) {
	p.data, p.pos = line, 0
	p.fields, p.elems, p.mems = p.fields[:0], p.elems[:0], p.mems[:0]
	p.pendV, p.pendM = p.pendV[:0], p.pendM[:0]
}

// parse reads line, which must hold exactly one JSON object, into
// p.fields.
func (p *jsonParser) parse(line []byte) error {
	p.reset(line)
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '{' {
		return p.fail("expected a JSON object")
	}
	if err := p.object("", 1); err != nil {
		return err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return p.fail("unexpected data after the JSON object")
	}
	return nil
}

func (p *jsonParser) fail(msg string) error {
	if p.pos >= len(p.data) {
		return &syntaxError{off: len(p.data), msg: "truncated JSON: " + msg}
	}
	return &syntaxError{off: p.pos, msg: "invalid JSON at " + strconv.QuoteRune(rune(p.data[p.pos])) + ": " + msg}
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// expect consumes c after optional space.
func (p *jsonParser) expect(c byte, what string) error {
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != c {
		return p.fail("expected " + what)
	}
	p.pos++
	return nil
}

// object reads a flattened object at p.pos ('{'): its members become
// fields named prefix+key.
func (p *jsonParser) object(prefix string, depth int) error {
	if depth > evidence.MaxJSONDepth {
		return p.fail("nested deeper than " + strconv.Itoa(evidence.MaxJSONDepth) + " levels")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return nil
	}
	for {
		p.skipSpace()
		key, err := p.key()
		if err != nil {
			return err
		}
		if prefix != "" {
			key = prefix + key
		}
		if err := p.expect(':', "':' after object key"); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '{' {
			if err := p.object(key+".", depth+1); err != nil {
				return err
			}
		} else {
			v, err := p.value(depth)
			if err != nil {
				return err
			}
			p.fields = append(p.fields, field{key: key, v: v})
		}
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		return p.expect('}', "',' or '}' in object")
	}
}

// key reads an object key, interning the keys loggers commonly write so
// that the common line allocates no key strings.
func (p *jsonParser) key() (string, error) {
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return "", p.fail("expected a string object key")
	}
	raw, esc, err := p.scanString()
	if err != nil {
		return "", err
	}
	if !esc {
		if k, ok := internedKeys[string(raw)]; ok {
			return k, nil
		}
	}
	return p.decodeString(raw, esc), nil
}

// value reads any JSON value; objects here (inside arrays) stay maps.
func (p *jsonParser) value(depth int) (val, error) {
	if p.pos >= len(p.data) {
		return val{}, p.fail("expected a value")
	}
	switch c := p.data[p.pos]; {
	case c == '"':
		raw, esc, err := p.scanString()
		if err != nil {
			return val{}, err
		}
		return val{kind: kStr, s: p.decodeString(raw, esc)}, nil
	case c == '[':
		return p.array(depth + 1)
	case c == '{':
		return p.nestedObject(depth + 1)
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	case c == 't':
		return val{kind: kBool, b: true}, p.literal("true")
	case c == 'f':
		return val{kind: kBool}, p.literal("false")
	case c == 'n':
		return val{kind: kNull}, p.literal("null")
	}
	return val{}, p.fail("expected a value")
}

func (p *jsonParser) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos >= len(p.data) || p.data[p.pos] != word[i] {
			return p.fail("expected " + word)
		}
		p.pos++
	}
	return nil
}

func (p *jsonParser) array(depth int) (val, error) {
	if depth > evidence.MaxJSONDepth {
		return val{}, p.fail("nested deeper than " + strconv.Itoa(evidence.MaxJSONDepth) + " levels")
	}
	p.pos++
	start := len(p.pendV)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return val{kind: kArr, lo: int32(len(p.elems)), hi: int32(len(p.elems))}, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return val{}, err
		}
		p.pendV = append(p.pendV, v)
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if err := p.expect(']', "',' or ']' in array"); err != nil {
			return val{}, err
		}
		break
	}
	// Children were finished before their parent, so copying them to the
	// arena now keeps each array's elements contiguous.
	lo := int32(len(p.elems))
	p.elems = append(p.elems, p.pendV[start:]...)
	p.pendV = p.pendV[:start]
	return val{kind: kArr, lo: lo, hi: int32(len(p.elems))}, nil
}

func (p *jsonParser) nestedObject(depth int) (val, error) {
	if depth > evidence.MaxJSONDepth {
		return val{}, p.fail("nested deeper than " + strconv.Itoa(evidence.MaxJSONDepth) + " levels")
	}
	p.pos++
	start := len(p.pendM)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return val{kind: kObj, lo: int32(len(p.mems)), hi: int32(len(p.mems))}, nil
	}
	for {
		p.skipSpace()
		k, err := p.key()
		if err != nil {
			return val{}, err
		}
		if err := p.expect(':', "':' after object key"); err != nil {
			return val{}, err
		}
		p.skipSpace()
		v, err := p.value(depth)
		if err != nil {
			return val{}, err
		}
		p.pendM = append(p.pendM, member{key: k, v: v})
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ',' {
			p.pos++
			continue
		}
		if err := p.expect('}', "',' or '}' in object"); err != nil {
			return val{}, err
		}
		break
	}
	lo := int32(len(p.mems))
	p.mems = append(p.mems, p.pendM[start:]...)
	p.pendM = p.pendM[:start]
	return val{kind: kObj, lo: lo, hi: int32(len(p.mems))}, nil
}

// number checks JSON's number grammar and keeps the text.
func (p *jsonParser) number() (val, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && '1' <= p.data[p.pos] && p.data[p.pos] <= '9':
		p.digits()
	default:
		return val{}, p.fail("expected a digit")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return val{}, p.fail("expected a digit after the decimal point")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return val{}, p.fail("expected a digit in the exponent")
		}
	}
	return val{kind: kNum, s: string(p.data[start:p.pos])}, nil
}

func (p *jsonParser) digits() int {
	n := 0
	for p.pos < len(p.data) && '0' <= p.data[p.pos] && p.data[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

// scanString checks the string at p.pos and returns its raw contents
// (between the quotes) and whether they hold escapes or bytes that are
// not valid UTF-8, either of which needs decodeString's slow path.
func (p *jsonParser) scanString() (raw []byte, slow bool, err error) {
	p.pos++
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			raw = p.data[start:p.pos]
			p.pos++
			return raw, slow, nil
		case c == '\\':
			slow = true
			p.pos++
			if p.pos >= len(p.data) {
				return nil, false, p.fail("unterminated string")
			}
			switch p.data[p.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.pos++
			case 'u':
				p.pos++
				for i := 0; i < 4; i++ {
					if p.pos >= len(p.data) || unhex(p.data[p.pos]) < 0 {
						return nil, false, p.fail("expected four hex digits after \\u")
					}
					p.pos++
				}
			default:
				return nil, false, p.fail("invalid escape in string")
			}
		case c < 0x20:
			return nil, false, p.fail("control character in string")
		case c >= utf8.RuneSelf:
			slow = true
			p.pos++
		default:
			p.pos++
		}
	}
	return nil, false, p.fail("unterminated string")
}

// decodeString unescapes a string scanString accepted. Invalid UTF-8 and
// lone surrogates become U+FFFD, as encoding/json does, because EPG
// strings must be valid UTF-8.
func (p *jsonParser) decodeString(raw []byte, slow bool) string {
	if !slow || (utf8.Valid(raw) && !hasByte(raw, '\\')) {
		return string(raw)
	}
	b := p.buf[:0]
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			i++
			switch raw[i] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(raw[i+1:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
						r2 = hex4(raw[i+3:])
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default: // '"', '\\', '/'
				b = append(b, raw[i])
			}
			i++
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			b = utf8.AppendRune(b, r) // RuneError for a bad byte
			i += n
		}
	}
	p.buf = b
	return string(b)
}

func hasByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}

// hex4 reads four hex digits (checked by scanString); fewer yield -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		d := unhex(c)
		if d < 0 {
			return -1
		}
		r = r<<4 | rune(d)
	}
	return r
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
