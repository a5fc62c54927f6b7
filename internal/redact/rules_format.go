package redact

import (
	"encoding/base64"
	"strings"
)

// jwtRule finds a JSON Web Token (three base64url parts, the first
// decoding to a JSON header with "alg") and renders it structurally: the
// algorithm, key ID, a token of the audience and the expiry survive, which
// is what debugging an auth failure needs, and the signature and claims
// do not.
func jwtRule() *rule {
	return &rule{id: "jwt", class: ClassSecret, prio: 2, keywords: []string{"eyJ"},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks:ke] != "eyJ" || ks > 0 && (setB64URLD[s[ks-1]]) {
				return 0, 0, false
			}
			a := runEnd(s, ks, setB64URL, 4096)
			if a-ks < 10 || a >= len(s) || s[a] != '.' {
				return 0, 0, false
			}
			b := runEnd(s, a+1, setB64URL, 16384)
			if b-a-1 < 10 || b >= len(s) || s[b] != '.' {
				return 0, 0, false
			}
			c := runEnd(s, b+1, setB64URL, 4096)
			if c < len(s) && (setB64URLD[s[c]]) {
				return 0, 0, false
			}
			hdr, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s[ks:a], "="))
			if err != nil || !strings.Contains(string(hdr), `"alg"`) {
				return 0, 0, false
			}
			return ks, c, true
		},
		render: renderJWT}
}

// urlCredentials finds userinfo in URLs and connection strings
// (postgres://user:pass@host, redis://:pass@host, mongodb+srv://…,
// https://<sentry key>@o1.ingest.sentry.io/2) and replaces it whole.
func urlCredentials() *rule {
	return &rule{id: "url-credentials", class: ClassSecret, prio: 1, keywords: []string{"://"},
		match: func(s string, ks, ke int) (int, int, bool) {
			i := ks
			for i > 0 && ks-i < 32 && isSchemeByte(s[i-1]) {
				i--
			}
			if i == ks || !isLetter(s[i]) {
				return 0, 0, false
			}
			j := ke
			for j < len(s) && j-ke < 512 && !isUserinfoStop(s[j]) {
				j++
			}
			if j >= len(s) || s[j] != '@' || j == ke {
				return 0, 0, false
			}
			if !credentialUserinfo(s[ke:j]) {
				return 0, 0, false
			}
			return ke, j, true
		}}
}

func isLetter(c byte) bool     { return isUpper(c) || isLower(c) }
func isSchemeByte(c byte) bool { return isAlnum(c) || c == '+' || c == '.' || c == '-' }
func isUserinfoStop(c byte) bool {
	switch c {
	case '/', '?', '@', ' ', '\t', '\r', '\n', '"', '\'', '<', '>', '`', '\\':
		return true
	}
	return false
}

// credentialUserinfo decides whether a URL's userinfo carries a secret: a
// password, or a user part that is itself a key (Sentry DSNs, tokens used
// as git usernames). A bare user name ("git@") is not one.
func credentialUserinfo(ui string) bool {
	if c := strings.IndexByte(ui, ':'); c >= 0 {
		pw := ui[c+1:]
		return pw != "" && !isPlaceholder(pw)
	}
	return len(ui) >= 16 && hasDigit(ui) && !isPlaceholder(ui)
}

// isPlaceholder recognises values that stand in for a secret rather than
// being one: templates, masks, our own renderings.
func isPlaceholder(v string) bool {
	if v == "" {
		return true
	}
	switch v[0] {
	case '<', '$', '{', '%':
		return true
	}
	masked := true
	for i := 0; i < len(v); i++ {
		if c := v[i]; c != '*' && c != 'x' && c != 'X' && c != '.' && c != '#' && c != '-' {
			masked = false
			break
		}
	}
	if masked {
		return true
	}
	switch strings.ToLower(v) {
	case "null", "nil", "none", "true", "false", "undefined", "redacted", "[redacted]", "[filtered]", "filtered", "hidden", "secret", "password", "empty", "not_set", "unset", "required", "optional":
		return true
	}
	return false
}

// bearerRule keeps the scheme of "Bearer <credential>" in text and
// replaces the credential.
func bearerRule() *rule {
	body := set("A-Za-z0-9._~+/=-")
	return &rule{id: "bearer-token", class: ClassSecret, keywords: []string{"bearer "},
		match: func(s string, ks, ke int) (int, int, bool) {
			if !leftOK(s, ks) {
				return 0, 0, false
			}
			st := ke
			for st < len(s) && s[st] == ' ' {
				st++
			}
			j := runEnd(s, st, body, 8192)
			if j-st < 12 || !hasDigit(s[st:j]) && j-st < 24 {
				return 0, 0, false
			}
			return st, j, true
		}}
}

// basicAuthRule: "Basic <base64 of user:password>" — checked by decoding,
// so the word "basic" in prose does not fire.
func basicAuthRule() *rule {
	return &rule{id: "basic-auth", class: ClassSecret, keywords: []string{"basic "},
		match: func(s string, ks, ke int) (int, int, bool) {
			if !leftOK(s, ks) {
				return 0, 0, false
			}
			j := runEnd(s, ke, setB64Pad, 1024)
			if j-ke < 8 || j < len(s) && isAlnum(s[j]) {
				return 0, 0, false
			}
			dec, err := base64.StdEncoding.DecodeString(s[ke:j])
			if err != nil || !strings.Contains(string(dec), ":") {
				return 0, 0, false
			}
			return ke, j, true
		}}
}
