package redact

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Structured redaction of known shapes: what survives is what debugging
// needs (which key, which scheme, which host), never the credential.

// renderJWT keeps a JWT's algorithm, key ID, a token of its audience and
// its expiry: <jwt alg=RS256 kid=k1 aud=<token:aud:…> exp=2026-…Z>.
func renderJWT(m string, tok *tokenizer) string {
	parts := strings.SplitN(m, ".", 3)
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
		Exp json.Number     `json:"exp"`
	}
	if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "=")); err == nil {
		_ = json.Unmarshal(b, &hdr)
	}
	if len(parts) > 1 {
		if b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "=")); err == nil {
			_ = json.Unmarshal(b, &claims)
		}
	}
	var b strings.Builder
	b.WriteString("<jwt")
	if a := safeField(hdr.Alg, 16); a != "" {
		b.WriteString(" alg=" + a)
	}
	if hdr.Kid != "" {
		if k := safeField(hdr.Kid, 40); k == hdr.Kid {
			b.WriteString(" kid=" + k)
		} else {
			b.WriteString(" kid=" + tok.token("kid", hdr.Kid))
		}
	}
	if len(claims.Aud) > 0 && string(claims.Aud) != "null" {
		b.WriteString(" aud=" + tok.token("aud", string(claims.Aud)))
	}
	if exp, err := claims.Exp.Int64(); err == nil && exp > 0 && exp < 1<<40 {
		b.WriteString(" exp=" + time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	b.WriteString(">")
	return b.String()
}

// safeField returns v if it is short and made of [A-Za-z0-9._-], else "".
func safeField(v string, max int) string {
	if len(v) > max {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return ""
		}
	}
	return v
}

// redactAuthorization keeps an Authorization header's scheme and replaces
// the credential: "Bearer <token:bearer:…>". A JWT credential gets the
// structured JWT rendering instead.
func redactAuthorization(v string, tok *tokenizer) string {
	if strings.HasPrefix(v, "<") {
		return v // already a rendering
	}
	scheme, cred, ok := strings.Cut(strings.TrimSpace(v), " ")
	cred = strings.TrimSpace(cred)
	label, known := authSchemes[strings.ToLower(scheme)]
	if !ok || cred == "" || !known {
		// Without a known scheme the whole value is the credential; in
		// particular an unknown "scheme" must never become a label.
		return tok.token("authorization", v)
	}
	if strings.HasPrefix(cred, "<") {
		return scheme + " " + cred // already redacted
	}
	if strings.HasPrefix(cred, "eyJ") && strings.Count(cred, ".") == 2 {
		return scheme + " " + renderJWT(cred, tok)
	}
	return scheme + " " + tok.token(label, cred)
}

// authSchemes are the HTTP authentication schemes whose name is kept.
var authSchemes = map[string]string{
	"bearer": "bearer", "basic": "basic", "digest": "digest", "negotiate": "negotiate", "ntlm": "ntlm",
	"token": "token", "ssws": "ssws", "apikey": "apikey", "dpop": "dpop", "oauth": "oauth", "hoba": "hoba",
	"mutual": "mutual", "aws4-hmac-sha256": "aws4", "googlelogin": "googlelogin",
}

// redactCookie keeps cookie names and attributes and replaces values:
// "session=<token:cookie:…>; theme=<token:cookie:…>". In a Set-Cookie
// header only the first pair is a value; Path, Expires and the rest are
// attributes and stay.
func redactCookie(v string, tok *tokenizer, setCookie bool) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		if setCookie && i > 0 {
			break
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok || val == "" || isRendering(val) {
			continue
		}
		parts[i] = name + "=" + tok.token("cookie", val)
	}
	return strings.Join(parts, ";")
}

// queryActionFunc decides what happens to one URL query parameter.
type queryActionFunc func(name, value string) string

// redactURL removes userinfo and runs every query parameter through act,
// keeping scheme, host, path, fragment and the parameters' order and
// encoding. Values that do not parse as URLs are returned unchanged: the
// detectors still see them.
func redactURL(v string, act queryActionFunc) string {
	if strings.ContainsAny(v, " \t\r\n") {
		return v // not one URL: the detectors handle text
	}
	rest := v
	prefix := ""
	if i := strings.Index(rest, "://"); i > 0 && isScheme(rest[:i]) {
		prefix, rest = rest[:i+3], rest[i+3:]
		hostEnd := strings.IndexAny(rest, "/? ") // a raw # in a password is common
		if hostEnd < 0 {
			hostEnd = len(rest)
		}
		if at := strings.LastIndexByte(rest[:hostEnd], '@'); at >= 0 {
			rest = rest[at+1:]
		}
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 {
		return prefix + rest
	}
	path, query := rest[:q], rest[q+1:]
	frag := ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	return prefix + path + "?" + redactQuery(query, act) + frag
}

// redactQuery applies act to each name=value pair of a raw query.
func redactQuery(query string, act queryActionFunc) string {
	pairs := strings.Split(query, "&")
	for i, p := range pairs {
		name, val, ok := strings.Cut(p, "=")
		if !ok || val == "" || isRendering(val) || !queryName(name) {
			continue
		}
		pairs[i] = name + "=" + act(name, val)
	}
	return strings.Join(pairs, "&")
}

// stripSQLLiterals replaces string and numeric literals in a SQL
// statement with ?, leaving identifiers ("quoted" ones included),
// keywords and placeholders ($1, :name, ?) alone. Literals are where
// production values sit in a statement; its shape is what debugging
// needs.
func stripSQLLiterals(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	for i := 0; i < len(q); {
		c := q[i]
		if c == '<' {
			if e := renderingEnd(q, i); e > 0 {
				b.WriteString(q[i:e]) // our own tokens are not literals
				i = e
				continue
			}
		}
		switch {
		case c == '\'':
			i = skipQuoted(q, i)
			b.WriteByte('?')
		case c == '$' && i+1 < len(q) && q[i+1] == '$':
			if e := strings.Index(q[i+2:], "$$"); e >= 0 {
				i += e + 4
				b.WriteByte('?')
			} else {
				b.WriteString(q[i:])
				i = len(q)
			}
		case c == '"' || c == '`':
			end := len(q)
			if e := strings.IndexByte(q[i+1:], c); e >= 0 {
				end = i + e + 2
			}
			b.WriteString(q[i:end])
			i = end
		case isDigit(c) && (i == 0 || !isSQLIdent(q[i-1])):
			j := i
			for j < len(q) && (isAlnum(q[j]) || q[j] == '.') {
				j++
			}
			b.WriteByte('?')
			i = j
		case isSQLIdent(c):
			j := i
			for j < len(q) && isSQLIdent(q[j]) {
				j++
			}
			// A hex or national string literal: X'..', N'..', E'..'.
			if j-i == 1 && j < len(q) && q[j] == '\'' && strings.IndexByte("xXnNeEbB", c) >= 0 {
				i = skipQuoted(q, j)
				b.WriteByte('?')
				continue
			}
			b.WriteString(q[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func isSQLIdent(c byte) bool {
	return isAlnum(c) || c == '_' || c == '$' || c == '@' || c == '#' || c >= 0x80
}

// skipQuoted returns the index after the single-quoted literal at i,
// honouring ” and backslash escapes.
func skipQuoted(q string, i int) int {
	j := i + 1
	for j < len(q) {
		switch q[j] {
		case '\\':
			j += 2
			continue
		case '\'':
			if j+1 < len(q) && q[j+1] == '\'' {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(q)
}

// schemaOf keeps a JSON value's type and shape and drops its content:
// strings become "<string>", numbers 0, booleans false; objects keep
// their keys and arrays their length.
func schemaOf(v any) any {
	switch x := v.(type) {
	case string:
		return "<string>"
	case json.Number, float64:
		return json.Number("0")
	case bool:
		return false
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = schemaOf(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = schemaOf(e)
		}
		return out
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// renderingEnd returns the end of a token, hash or JWT rendering at i, or 0.
func renderingEnd(s string, i int) int {
	if e, ok := tokenRenderingEnd(s, i); ok {
		return e
	}
	if strings.HasPrefix(s[i:], "<jwt") {
		depth := 0
		for j := i; j < len(s) && j-i < 256; j++ {
			switch s[j] {
			case '<':
				depth++
			case '>':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	}
	return 0
}

// queryName accepts what a parameter name looks like; text that merely
// contains '?' and '=' is left to the detectors.
func queryName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !isAlnum(c) && strings.IndexByte("_.-[]%", c) < 0 {
			return false
		}
	}
	return true
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSchemeByte(s[i]) {
			return false
		}
	}
	return s != "" && isLetter(s[0])
}
