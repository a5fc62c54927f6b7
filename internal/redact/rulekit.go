package redact

// Building blocks for keyword rules: byte sets, boundaries and the common
// shapes "literal prefix + body" and "label, separator, value".

type byteSet [256]bool

// set builds a byte set from a spec of single bytes and a-z style ranges.
func set(spec string) *byteSet {
	var b byteSet
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for c := int(spec[i]); c <= int(spec[i+2]); c++ {
				b[c] = true
			}
			i += 2
			continue
		}
		b[spec[i]] = true
	}
	return &b
}

var (
	setAlnum    = set("A-Za-z0-9")
	setUpperNum = set("A-Z0-9")
	setHexLower = set("0-9a-f")
	setHexAny   = set("0-9a-fA-F")
	setB64      = set("A-Za-z0-9+/")
	setB64Pad   = set("A-Za-z0-9+/=")
	setB64URL   = set("A-Za-z0-9_-")
	setB64URLD  = set("A-Za-z0-9_.-")
	setLetters  = set("A-Za-z")
	setWord     = set("A-Za-z0-9_")
)

func isAlnum(c byte) bool { return setAlnum[c] }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }

// leftOK reports whether a token may start at i: the byte before is not
// part of a word.
func leftOK(s string, i int) bool { return i == 0 || !setWord[s[i-1]] }

// runEnd returns the end of the run of bytes in b starting at i, looking
// at no more than limit bytes.
func runEnd(s string, i int, b *byteSet, limit int) int {
	j := i
	for j < len(s) && j-i < limit && b[s[j]] {
		j++
	}
	return j
}

// ruleOpt adjusts a rule built by prefixed or labelled.
type ruleOpt func(*prefixSpec)

type prefixSpec struct {
	check     func(body string) bool
	noBoundL  bool // the prefix may follow a word byte (it is distinctive)
	valueOnly bool // replace only the body, keep the prefix
}

// withCheck adds a validation of the body.
func withCheck(f func(string) bool) ruleOpt { return func(p *prefixSpec) { p.check = f } }

// anyLeft allows the prefix to follow a word byte.
func anyLeft() ruleOpt { return func(p *prefixSpec) { p.noBoundL = true } }

// prefixed is a token that starts with a case-sensitive literal and goes
// on with between min and max bytes of body; the whole token is replaced.
func prefixed(id, prefix string, body *byteSet, min, max int, opts ...ruleOpt) *rule {
	var ps prefixSpec
	for _, o := range opts {
		o(&ps)
	}
	return &rule{id: id, class: ClassSecret, prio: 1, keywords: []string{prefix},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks:ke] != prefix || !ps.noBoundL && !leftOK(s, ks) {
				return 0, 0, false
			}
			j := runEnd(s, ke, body, max+1)
			n := j - ke
			if n < min || n > max || j < len(s) && isAlnum(s[j]) {
				return 0, 0, false
			}
			if ps.check != nil && !ps.check(s[ke:j]) {
				return 0, 0, false
			}
			return ks, j, true
		}}
}

// labelled is a value that follows one of the labels (case-insensitive:
// env names, JSON keys, config keys) after a separator such as `=`, `: `
// or `": "`; only the value is replaced.
func labelled(id string, labels []string, body *byteSet, min, max int, opts ...ruleOpt) *rule {
	var ps prefixSpec
	for _, o := range opts {
		o(&ps)
	}
	return &rule{id: id, class: ClassSecret, prio: 1, keywords: labels,
		match: func(s string, ks, ke int) (int, int, bool) {
			vs, ok := skipSeparator(s, ke)
			if !ok {
				return 0, 0, false
			}
			j := runEnd(s, vs, body, max+1)
			n := j - vs
			if n < min || n > max || j < len(s) && isAlnum(s[j]) {
				return 0, 0, false
			}
			if ps.check != nil && !ps.check(s[vs:j]) {
				return 0, 0, false
			}
			return vs, j, true
		}}
}

// skipSeparator skips what lies between a label and its value: closing
// quotes, blanks, one of = : => and an opening quote. It reports where the
// value starts and whether a separator was there at all.
func skipSeparator(s string, i int) (int, bool) {
	j := i
	for j < len(s) && j-i < 3 && (s[j] == '"' || s[j] == '\'' || s[j] == '`') {
		j++
	}
	for j < len(s) && j-i < 6 && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	if j >= len(s) {
		return 0, false
	}
	switch {
	case s[j] == ':' && j+1 < len(s) && s[j+1] == '=':
		j += 2
	case s[j] == '=' && j+1 < len(s) && s[j+1] == '>':
		j += 2
	case s[j] == ':' || s[j] == '=':
		j++
	default:
		return 0, false
	}
	k := j
	for j < len(s) && j-k < 6 && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	for j < len(s) && j-k < 8 && (s[j] == '"' || s[j] == '\'' || s[j] == '`') {
		j++
	}
	return j, j < len(s)
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !setHexAny[s[i]] {
				return false
			}
		}
	}
	return true
}
