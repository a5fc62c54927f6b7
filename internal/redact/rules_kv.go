package redact

import "strings"

// kvLabels are the names under which secrets travel in config dumps, env
// listings, JSON and log lines. A strong label means the value is a
// secret whatever it looks like; a weak one ("token", "secret" alone,
// "auth") also names harmless things, so its value must look generated.
var kvLabels = []struct {
	label  string
	strong bool
}{
	{"password", true}, {"passwd", true}, {"pwd", true}, {"passphrase", true},
	{"client_secret", true}, {"secret_key", true}, {"secretkey", true},
	{"api_key", true}, {"apikey", true}, {"api-key", true},
	{"access_key", true}, {"private_key", true}, {"signing_key", true},
	{"encryption_key", true}, {"master_key", true}, {"auth_key", true},
	{"secret", false}, {"token", false}, {"credential", false}, {"credentials", false},
	{"auth", false}, {"sessionid", false}, {"session_id", false},
}

// keyValueRule finds `label = value`, `label: value`, `"label": "value"`
// and replaces the value.
func keyValueRule() *rule {
	kws := make([]string, len(kvLabels))
	strong := map[string]bool{}
	for i, l := range kvLabels {
		kws[i] = l.label
		strong[l.label] = l.strong
	}
	return &rule{id: "generic-credential", class: ClassSecret, keywords: kws,
		match: func(s string, ks, ke int) (int, int, bool) {
			if !labelStartOK(s, ks) {
				return 0, 0, false
			}
			vs, ok := skipSeparator(s, ke)
			if !ok {
				return 0, 0, false
			}
			ve := valueEnd(s, vs)
			v := s[vs:ve]
			if isPlaceholder(v) || len(v) < 3 || isAuthScheme(v) {
				return 0, 0, false
			}
			if !strong[strings.ToLower(s[ks:ke])] && !looksGenerated(v) {
				return 0, 0, false
			}
			return vs, ve, true
		}}
}

// labelStartOK accepts a label at a word start, after a separator inside
// an identifier (db_password, X-Api-Key, spring.datasource.password) or at
// a camel-case hump (dbPassword).
func labelStartOK(s string, ks int) bool {
	if ks == 0 {
		return true
	}
	p := s[ks-1]
	if !isAlnum(p) {
		return true
	}
	return isLower(p) && isUpper(s[ks]) || isDigit(p)
}

// valueEnd returns where a value starting at vs ends: at the matching
// quote when it was quoted, else at the first delimiter.
func valueEnd(s string, vs int) int {
	quoted := vs > 0 && (s[vs-1] == '"' || s[vs-1] == '\'' || s[vs-1] == '`')
	j := vs
	for j < len(s) && j-vs < 512 {
		c := s[j]
		if quoted {
			if c == s[vs-1] || c == '\n' || c == '\r' {
				break
			}
			if c == '\\' && j+1 < len(s) && s[j+1] == s[vs-1] {
				break
			}
		} else if c <= ' ' || strings.IndexByte(",;&\"'<>)]}|", c) >= 0 {
			break
		}
		j++
	}
	return j
}

// looksGenerated reports whether a value looks machine-made: long enough,
// with digits or mixed case, not a plain word.
func looksGenerated(v string) bool {
	if len(v) < 8 {
		return false
	}
	var d, u, l int
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			d++
		case isUpper(c):
			u++
		case isLower(c):
			l++
		}
	}
	return d > 0 && u+l > 0 || u > 0 && l > 0 && u+l >= 12
}

func isAuthScheme(v string) bool {
	switch strings.ToLower(v) {
	case "bearer", "basic", "digest", "negotiate", "token", "ssws", "apikey":
		return true
	}
	return false
}

// queryParamRule finds signing and session parameters in URLs in free
// text (pre-signed S3/GCS links, OAuth callbacks).
func queryParamRule() *rule {
	names := []string{"signature=", "x-amz-signature=", "x-amz-credential=", "x-amz-security-token=",
		"x-goog-signature=", "x-goog-credential=", "code=", "key=", "session=", "sid=", "access_token=", "id_token=", "refresh_token="}
	return &rule{id: "url-secret-param", class: ClassSecret, keywords: names,
		match: func(s string, ks, ke int) (int, int, bool) {
			if ks == 0 || (s[ks-1] != '?' && s[ks-1] != '&' && s[ks-1] != ';') {
				return 0, 0, false
			}
			j := ke
			for j < len(s) && j-ke < 4096 && !isQueryStop(s[j]) {
				j++
			}
			v := s[ke:j]
			if isPlaceholder(v) || !looksGenerated(v) {
				return 0, 0, false
			}
			return ke, j, true
		}}
}

func isQueryStop(c byte) bool {
	return c <= ' ' || c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c == ';'
}

// emailRule finds addresses around each "@". Reserved documentation
// domains (RFC 2606/6761) and asset names like logo@2x.png are not
// addresses of people.
func emailRule() *rule {
	local := set("A-Za-z0-9._%+-")
	return &rule{id: "email", class: ClassEmail, keywords: []string{"@"},
		match: func(s string, ks, ke int) (int, int, bool) {
			st := ks
			for st > 0 && ks-st < 64 && local[s[st-1]] {
				st--
			}
			if st == ks || s[st] == '.' || s[ks-1] == '.' || st > 0 && setWord[s[st-1]] {
				return 0, 0, false
			}
			end, tld, ok := domainEnd(s, ke)
			if !ok || !isEmailTLD(tld) || s[st:ks] == "git" {
				return 0, 0, false
			}
			if reservedDomain(strings.ToLower(s[ke:end])) {
				return 0, 0, false
			}
			return st, end, true
		}}
}

// domainEnd reads a domain of at least two labels starting at i and
// returns its end and top-level label.
func domainEnd(s string, i int) (end int, tld string, ok bool) {
	labels, j, lastStart := 0, i, i
	for {
		k := j
		for k < len(s) && k-j < 63 && (isAlnum(s[k]) || s[k] == '-') {
			k++
		}
		if k == j {
			break
		}
		labels++
		lastStart = j
		end = k
		if k+1 < len(s) && s[k] == '.' && isAlnum(s[k+1]) {
			j = k + 1
			continue
		}
		break
	}
	if labels < 2 || end < len(s) && (setWord[s[end]] || s[end] == '@') {
		return 0, "", false
	}
	return end, s[lastStart:end], true
}

func isEmailTLD(t string) bool {
	if len(t) < 2 || len(t) > 24 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isLetter(t[i]) {
			return false
		}
	}
	switch strings.ToLower(t) {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "css", "map", "html", "htm",
		"json", "yaml", "yml", "xml", "txt", "log", "java", "py", "go", "rb", "rs", "ts", "class", "jar", "kt", "scala":
		return false
	}
	return true
}

func reservedDomain(d string) bool {
	for _, r := range []string{"example.com", "example.org", "example.net", "localhost"} {
		if d == r || strings.HasSuffix(d, "."+r) {
			return true
		}
	}
	for _, t := range []string{".example", ".test", ".invalid", ".localhost", ".local"} {
		if strings.HasSuffix(d, t) {
			return true
		}
	}
	return false
}
