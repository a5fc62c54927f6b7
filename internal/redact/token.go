package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
)

// Token renderings. A token is a prefix of HMAC-SHA256 of the value under
// the installation key: equal values give equal tokens, so a redacted
// user or key still joins across traces and logs, while nothing about the
// value can be recovered or confirmed by guessing without the key — which
// is why even low-entropy values (phone numbers, IPs) are safe as tokens.
const (
	tokenHexLen = 12 // 48 bits: collisions are negligible per incident
	hashHexLen  = 16
	maxLabelLen = 24
)

// tokenizer makes keyed tokens. It is safe for concurrent use.
type tokenizer struct {
	pool sync.Pool
}

func newTokenizer(key []byte) *tokenizer {
	k := append([]byte(nil), key...)
	return &tokenizer{pool: sync.Pool{New: func() any { return hmac.New(sha256.New, k) }}}
}

func (t *tokenizer) sum(value string, n int) string {
	h := t.pool.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte("tag-token-v1\x00"))
	h.Write([]byte(value))
	var buf [sha256.Size]byte
	sum := h.Sum(buf[:0])
	t.pool.Put(h)
	return hex.EncodeToString(sum[:n/2])
}

// token renders value as <token:label:XXXXXXXXXXXX>. The label says what
// the value was (email, github-pat) — useful when debugging and not
// secret — and is omitted when empty. The hex part depends on the value
// only, so the same secret caught by two rules still joins.
func (t *tokenizer) token(label, value string) string {
	label = cleanLabel(label)
	var b strings.Builder
	b.Grow(9 + len(label) + tokenHexLen)
	b.WriteString("<token:")
	if label != "" {
		b.WriteString(label)
		b.WriteByte(':')
	}
	b.WriteString(t.sum(value, tokenHexLen))
	b.WriteByte('>')
	return b.String()
}

// hash renders value as <hash:XXXXXXXXXXXXXXXX>: a longer keyed digest
// without a label, for identifiers a policy wants kept joinable (user
// IDs, client IPs) where the field name already says what they are.
func (t *tokenizer) hash(value string) string {
	return "<hash:" + t.sum(value, hashHexLen) + ">"
}

func cleanLabel(l string) string {
	if len(l) > maxLabelLen {
		l = l[:maxLabelLen]
	}
	for i := 0; i < len(l); i++ {
		if !isLabelByte(l[i]) {
			b := []byte(l)
			for j := i; j < len(b); j++ {
				if !isLabelByte(b[j]) {
					b[j] = '-'
				}
			}
			return string(b)
		}
	}
	return l
}

func isLabelByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

func isHexLower(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' }

// tokenRenderingEnd reports whether s[start:] begins with a well-formed
// token or hash rendering and where it ends. The format is strict — a
// label of at most 24 [a-z0-9_-] and exactly 12 (or 16) lower-case hex
// digits — so nothing secret can hide inside something that looks like a
// token.
func tokenRenderingEnd(s string, start int) (int, bool) {
	rest := s[start:]
	switch {
	case strings.HasPrefix(rest, "<hash:"):
		i := len("<hash:")
		if len(rest) >= i+hashHexLen+1 && allHexLower(rest[i:i+hashHexLen]) && rest[i+hashHexLen] == '>' {
			return start + i + hashHexLen + 1, true
		}
	case strings.HasPrefix(rest, "<token:"):
		i := len("<token:")
		j := i
		for j < len(rest) && j-i <= maxLabelLen && isLabelByte(rest[j]) {
			j++
		}
		// Either <token:HEX> or <token:label:HEX>.
		if j-i == tokenHexLen && j < len(rest) && rest[j] == '>' && allHexLower(rest[i:j]) {
			return start + j + 1, true
		}
		if j < len(rest) && rest[j] == ':' && j-i <= maxLabelLen {
			k := j + 1
			if len(rest) >= k+tokenHexLen+1 && allHexLower(rest[k:k+tokenHexLen]) && rest[k+tokenHexLen] == '>' {
				return start + k + tokenHexLen + 1, true
			}
		}
	}
	return 0, false
}

func allHexLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexLower(s[i]) {
			return false
		}
	}
	return true
}

// isRendering reports whether s is exactly one token or hash rendering:
// field actions leave such values alone so that redaction is idempotent.
func isRendering(s string) bool {
	e, ok := tokenRenderingEnd(s, 0)
	return ok && e == len(s)
}
