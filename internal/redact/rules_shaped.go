package redact

import "strings"

// Keyword rules whose shape is more than "prefix + body".

// azureADSecret: Entra ID client secrets carry "Q~" after three bytes and
// a digit: xxxdQ~ followed by 31 to 34 bytes.
func azureADSecret() *rule {
	body := set("A-Za-z0-9_~.-")
	return &rule{id: "azure-ad-client-secret", class: ClassSecret, prio: 1, keywords: []string{"q~"},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks] != 'Q' || ks < 4 || !isDigit(s[ks-1]) {
				return 0, 0, false
			}
			st := ks - 4
			for i := st; i < ks-1; i++ {
				if !body[s[i]] || s[i] == '-' {
					return 0, 0, false
				}
			}
			if !leftOK(s, st) {
				return 0, 0, false
			}
			j := runEnd(s, ke, body, 35)
			if n := j - ke; n < 31 || n > 34 {
				return 0, 0, false
			}
			return st, j, true
		}}
}

// urlPathSecret replaces the path after a webhook URL's fixed part: the
// path itself is the credential.
func urlPathSecret(id, literal string, body *byteSet, min, max int) *rule {
	return &rule{id: id, class: ClassSecret, prio: 1, keywords: []string{literal},
		match: func(s string, ks, ke int) (int, int, bool) {
			if !strings.EqualFold(s[ks:ke], literal) {
				return 0, 0, false
			}
			j := runEnd(s, ke, body, max+1)
			if n := j - ke; n < min || n > max {
				return 0, 0, false
			}
			return ke, j, true
		}}
}

// sendgrid: "SG." + 22 + "." + 43 URL-safe base64.
func sendgrid() *rule {
	return &rule{id: "sendgrid-api-key", class: ClassSecret, prio: 1, keywords: []string{"SG."},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks:ke] != "SG." || !leftOK(s, ks) {
				return 0, 0, false
			}
			a := runEnd(s, ke, setB64URL, 23)
			if a-ke != 22 || a >= len(s) || s[a] != '.' {
				return 0, 0, false
			}
			b := runEnd(s, a+1, setB64URL, 44)
			if b-a-1 != 43 {
				return 0, 0, false
			}
			return ks, b, true
		}}
}

// mailchimp: 32 hex, "-us", a datacentre number.
func mailchimp() *rule {
	return &rule{id: "mailchimp-api-key", class: ClassSecret, prio: 1, keywords: []string{"-us"},
		match: func(s string, ks, ke int) (int, int, bool) {
			st := ks - 32
			if st < 0 || s[ke-2:ke] != "us" || !allHexLower(s[st:ks]) || !leftOK(s, st) {
				return 0, 0, false
			}
			j := runEnd(s, ke, set("0-9"), 3)
			if j == ke || j-ke > 2 || j < len(s) && isAlnum(s[j]) {
				return 0, 0, false
			}
			return st, j, true
		}}
}

// telegram: "<bot id>:AA<33 bytes>".
func telegram() *rule {
	return &rule{id: "telegram-bot-token", class: ClassSecret, prio: 1, keywords: []string{":AA"},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks+1:ke] != "AA" {
				return 0, 0, false
			}
			st := ks
			for st > 0 && isDigit(s[st-1]) && ks-st <= 10 {
				st--
			}
			if n := ks - st; n < 8 || n > 10 || !leftOK(s, st) {
				return 0, 0, false
			}
			j := runEnd(s, ke, setB64URL, 34)
			if j-ke != 33 || j < len(s) && setWord[s[j]] {
				return 0, 0, false
			}
			return st, j, true
		}}
}

// airtable personal access tokens: "pat" + 14 alphanumerics + "." + 64 hex.
func airtable() *rule {
	return &rule{id: "airtable-pat", class: ClassSecret, prio: 1, keywords: []string{"pat"},
		match: func(s string, ks, ke int) (int, int, bool) {
			if s[ks:ke] != "pat" || !leftOK(s, ks) || len(s) < ke+79 {
				return 0, 0, false
			}
			if runEnd(s, ke, setAlnum, 15) != ke+14 || s[ke+14] != '.' {
				return 0, 0, false
			}
			j := runEnd(s, ke+15, setHexLower, 65)
			if j-ke-15 != 64 || j < len(s) && isAlnum(s[j]) {
				return 0, 0, false
			}
			return ks, j, true
		}}
}

// pemRule replaces a PEM private key block whole, across lines, with the
// newlines real or escaped as \n inside JSON (a GCP service-account file).
// A block cut off before its END line is replaced up to where its body
// stops.
func pemRule() *rule {
	body := set("A-Za-z0-9+/=\\\r\n \t:-,")
	return &rule{id: "private-key", class: ClassSecret, prio: 2, keywords: []string{"-----BEGIN "},
		match: func(s string, ks, ke int) (int, int, bool) {
			hdrEnd := strings.Index(s[ke:min(len(s), ke+64)], "-----")
			if hdrEnd < 0 || !strings.Contains(s[ke:ke+hdrEnd], "PRIVATE KEY") {
				return 0, 0, false
			}
			rest := ke + hdrEnd + 5
			lim := min(len(s), rest+64<<10)
			if e := strings.Index(s[rest:lim], "-----END "); e >= 0 {
				end := rest + e + len("-----END ")
				if f := strings.Index(s[end:min(len(s), end+64)], "-----"); f >= 0 {
					return ks, end + f + 5, true
				}
				return ks, end, true
			}
			j := runEnd(s, rest, body, lim-rest)
			return ks, j, j > rest
		}}
}

// terraformCloud: 14 alphanumerics, ".atlasv1.", 60 to 80 more.
func terraformCloud() *rule {
	body := set("A-Za-z0-9_=-")
	return &rule{id: "terraform-cloud-token", class: ClassSecret, prio: 1, keywords: []string{".atlasv1."},
		match: func(s string, ks, ke int) (int, int, bool) {
			st := ks - 14
			if st < 0 || runEnd(s, st, setAlnum, 14) != ks || !leftOK(s, st) {
				return 0, 0, false
			}
			j := runEnd(s, ke, body, 81)
			if n := j - ke; n < 60 || n > 80 {
				return 0, 0, false
			}
			return st, j, true
		}}
}
