package redact

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strings"
)

// Shape rules have no keyword to anchor on: phone numbers, cards, IPs,
// IBANs, national IDs and high-entropy strings. One pass splits the text
// into words of [A-Za-z0-9+/_-] and runs the cheap shape checks only at
// word starts that could begin one of them.

// shapeRuleIDs names the shape rules for RuleIDs.
var shapeRuleIDs = []string{"high-entropy", "discord-bot-token", "phone", "ipv4", "ipv6", "payment-card", "iban", "us-ssn", "uk-nino", "ca-sin"}

var wordByte = set("A-Za-z0-9+/_-")

func scanShapes(s string, out []Finding, protect []span) []Finding {
	pi := 0
	for i := 0; i < len(s); {
		if pi < len(protect) && i >= protect[pi].start {
			i = max(i, protect[pi].end)
			pi++
			continue
		}
		c := s[i]
		if !wordByte[c] {
			if c == '(' || c == ':' {
				if f, ok := nonWordShape(s, i); ok {
					out = append(out, f)
					i = f.End
					continue
				}
			}
			i++
			continue
		}
		j := runEnd(s, i, wordByte, len(s))
		if f, ok := wordShape(s, i, j); ok {
			out = append(out, f)
			i = max(f.End, i+1)
			continue
		}
		if !isDigit(c) {
			// Digits after '/' or '-' inside a word (/users/4111…,
			// id-123-45-6789) start numbers too.
			for p := i + 1; p < j; p++ {
				if (s[p-1] == '/' || s[p-1] == '-') && isDigit(s[p]) {
					if f, ok := numberShape(s, p); ok {
						out = append(out, f)
						j = max(j, f.End)
						break
					}
				}
			}
		}
		i = j
	}
	return out
}

func shapeFinding(id string, c Class, st, en int) (Finding, bool) {
	return Finding{Rule: id, Class: c, Start: st, End: en}, true
}

// nonWordShape handles shapes that start with a non-word byte: "(415)
// 555-0132" and IPv6 addresses written from "::".
func nonWordShape(s string, i int) (Finding, bool) {
	if s[i] == '(' {
		if e := nanpParen(s, i); e > 0 {
			return shapeFinding("phone", ClassPhone, i, e)
		}
		return Finding{}, false
	}
	if i+2 < len(s) && s[i+1] == ':' && (i == 0 || !setHexAny[s[i-1]] && s[i-1] != ':') {
		if e := ipv6End(s, i); e > 0 {
			return shapeFinding("ipv6", ClassIP, i, e)
		}
	}
	return Finding{}, false
}

func wordShape(s string, i, j int) (Finding, bool) {
	c := s[i]
	if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '.' || s[i-1] == '_') {
		return Finding{}, false
	}
	if j < len(s) && s[j] == ':' && j-i <= 4 && allHexAny(s[i:j]) {
		if e := ipv6End(s, i); e > 0 {
			return shapeFinding("ipv6", ClassIP, i, e)
		}
	}
	switch {
	case isDigit(c):
		if f, ok := numberShape(s, i); ok {
			return f, true
		}
	case c == '+':
		if e := e164End(s, i); e > 0 {
			return shapeFinding("phone", ClassPhone, i, e)
		}
	case isUpper(c):
		if e := ibanEnd(s, i); e > 0 {
			return shapeFinding("iban", ClassIBAN, i, e)
		}
		if e := ninoEnd(s, i); e > 0 {
			return shapeFinding("uk-nino", ClassNationalID, i, e)
		}
	}
	if j-i >= 20 {
		if e := discordEnd(s, i, j); e > 0 {
			return shapeFinding("discord-bot-token", ClassSecret, i, e)
		}
		if e := entropyEnd(s, i, j); e > 0 {
			return shapeFinding("high-entropy", ClassSecret, i, e)
		}
	}
	return Finding{}, false
}

func allHexAny(s string) bool {
	for i := 0; i < len(s); i++ {
		if !setHexAny[s[i]] {
			return false
		}
	}
	return true
}

// numRun is a run of digit groups joined by single separators.
type numRun struct {
	start int
	end   [8]int  // end offset of each group
	size  [8]int  // digits in each group
	sep   [8]byte // separator after each group, 0 after the last
	n     int
}

func readNumRun(s string, i int) numRun {
	r := numRun{start: i}
	j := i
	for r.n < len(r.end) {
		k := j
		for k < len(s) && isDigit(s[k]) && k-j < 20 {
			k++
		}
		if k == j {
			break
		}
		r.end[r.n], r.size[r.n] = k, k-j
		r.n++
		if k+1 < len(s) && (s[k] == ' ' || s[k] == '-' || s[k] == '.') && isDigit(s[k+1]) {
			r.sep[r.n-1] = s[k]
			j = k + 1
			continue
		}
		break
	}
	return r
}

// endsAt reports whether a shape made of the first k groups ends cleanly:
// not followed by a word byte or by the same separator and more digits.
func (r *numRun) endsAt(s string, k int) bool {
	e := r.end[k-1]
	if e < len(s) && (setWord[s[e]]) {
		return false
	}
	return k == r.n || r.sep[k-1] != r.sep[k-2] || k < 2
}

func (r *numRun) digits(s string, k int) string {
	var b strings.Builder
	for i := r.start; i < r.end[k-1]; i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func (r *numRun) sameSep(k int, allowed string) bool {
	if k < 2 {
		return true
	}
	s0 := r.sep[0]
	if strings.IndexByte(allowed, s0) < 0 {
		return false
	}
	for g := 1; g < k-1; g++ {
		if r.sep[g] != s0 {
			return false
		}
	}
	return true
}

func groupVal(s string, r *numRun, g int) int {
	v := 0
	for i := r.end[g] - r.size[g]; i < r.end[g]; i++ {
		v = v*10 + int(s[i]-'0')
	}
	return v
}

// numberShape classifies the number starting at i.
func numberShape(s string, i int) (Finding, bool) {
	r := readNumRun(s, i)
	if r.n == 1 && r.size[0] < 13 {
		return Finding{}, false // no shape is one short group of digits
	}
	sz := r.size
	switch {
	case r.n >= 4 && r.sameSep(4, ".") && sz[0] <= 3 && sz[1] <= 3 && sz[2] <= 3 && sz[3] <= 3:
		if (r.n == 4 || r.sep[3] != '.') && r.end[3] < len(s) && !setWord[s[r.end[3]]] || r.end[3] == len(s) {
			if ipv4Personal(s, &r) {
				return shapeFinding("ipv4", ClassIP, i, r.end[3])
			}
		}
		return Finding{}, false
	case r.n >= 3 && sz[0] == 3 && sz[1] == 2 && sz[2] == 4 && r.sameSep(3, "-") && r.endsAt(s, 3):
		if ssnValid(groupVal(s, &r, 0), groupVal(s, &r, 1), groupVal(s, &r, 2)) {
			return shapeFinding("us-ssn", ClassNationalID, i, r.end[2])
		}
	case r.n >= 3 && sz[0] == 3 && sz[1] == 3 && sz[2] == 3 && r.sameSep(3, "- ") && r.endsAt(s, 3):
		if d := r.digits(s, 3); d[0] != '0' && d[0] != '8' && luhn(d) {
			return shapeFinding("ca-sin", ClassNationalID, i, r.end[2])
		}
	}
	if e := nanpEnd(s, &r); e > 0 {
		return shapeFinding("phone", ClassPhone, i, e)
	}
	if e := nationalPhoneEnd(s, &r); e > 0 {
		return shapeFinding("phone", ClassPhone, i, e)
	}
	if e := cardEnd(s, &r); e > 0 {
		return shapeFinding("payment-card", ClassCard, i, e)
	}
	return Finding{}, false
}

// ipv4Personal reports whether a dotted quad is a valid address that can
// point at someone: loopback, unspecified, broadcast and the RFC 5737
// documentation ranges are not.
func ipv4Personal(s string, r *numRun) bool {
	var o [4]int
	for g := 0; g < 4; g++ {
		o[g] = groupVal(s, r, g)
		if o[g] > 255 || r.size[g] > 1 && s[r.end[g]-r.size[g]] == '0' {
			return false
		}
	}
	switch {
	case o[0] == 0, o[0] == 127, o[0] == 255 && o[1] == 255:
		return false
	case o[0] == 192 && o[1] == 0 && o[2] == 2, o[0] == 198 && o[1] == 51 && o[2] == 100, o[0] == 203 && o[1] == 0 && o[2] == 113:
		return false
	}
	return true
}

// nanpEnd: North American numbers, 415-555-0132, 415.555.0132,
// 415 555 0132, with an optional leading 1.
func nanpEnd(s string, r *numRun) int {
	off := 0
	if r.n >= 4 && r.size[0] == 1 && s[r.start] == '1' {
		off = 1
	}
	if r.n < 3+off || r.size[off] != 3 || r.size[off+1] != 3 || r.size[off+2] != 4 {
		return 0
	}
	for g := off; g < off+2; g++ {
		if r.sep[g] != r.sep[off] || strings.IndexByte("-. ", r.sep[g]) < 0 {
			return 0
		}
	}
	area := s[r.end[off]-3]
	exch := s[r.end[off+1]-3]
	k := off + 3
	if area < '2' || exch < '2' || r.end[k-1] < len(s) && setWord[s[r.end[k-1]]] || k < r.n && r.sep[k-1] == r.sep[off] {
		return 0
	}
	return r.end[k-1]
}

// nanpParen: (415) 555-0132.
func nanpParen(s string, i int) int {
	if i+13 > len(s) || !isDigit(s[i+1]) || s[i+1] < '2' || !isDigit(s[i+2]) || !isDigit(s[i+3]) || s[i+4] != ')' {
		return 0
	}
	j := i + 5
	if j < len(s) && s[j] == ' ' {
		j++
	}
	r := readNumRun(s, j)
	if r.n < 2 || r.size[0] != 3 || r.size[1] != 4 || r.sep[0] != '-' && r.sep[0] != ' ' || s[j] < '2' {
		return 0
	}
	if r.end[1] < len(s) && setWord[s[r.end[1]]] {
		return 0
	}
	return r.end[1]
}

// nationalPhoneEnd: trunk-prefixed numbers written in space-separated
// groups, as the UK (020 7946 0958, 07700 900123) and France (01 23 45 67
// 89) write them.
func nationalPhoneEnd(s string, r *numRun) int {
	if s[r.start] != '0' || r.n < 2 || r.size[0] < 2 || r.size[0] > 5 {
		return 0
	}
	total := 0
	for g := 0; g < r.n; g++ {
		if g < r.n-1 && r.sep[g] != ' ' {
			break
		}
		total += r.size[g]
		if total == 10 || total == 11 {
			k := g + 1
			if k < 2 || r.end[g] < len(s) && setWord[s[r.end[g]]] || k < r.n {
				return 0
			}
			if total == 10 && !(k == 5 && r.size[0] == 2) {
				return 0 // ten digits only in the French 2-2-2-2-2 layout
			}
			return r.end[g]
		}
		if total > 11 {
			return 0
		}
	}
	return 0
}

// e164End: +CC followed by 7 to 14 more digits, optionally grouped.
func e164End(s string, i int) int {
	if i+1 >= len(s) || !isDigit(s[i+1]) || s[i+1] == '0' || i > 0 && setWord[s[i-1]] {
		return 0
	}
	r := readNumRun(s, i+1)
	// The longest prefix of groups that makes a number and ends cleanly:
	// "+14155550132 1abc" is a phone number followed by a word.
	for k := r.n; k >= 1; k-- {
		total := 0
		for g := 0; g < k; g++ {
			if g < k-1 && r.sep[g] == '.' && r.size[g] > 4 {
				total = -1
				break
			}
			total += r.size[g]
		}
		if total >= 8 && total <= 15 && (r.end[k-1] == len(s) || !setWord[s[r.end[k-1]]]) {
			return r.end[k-1]
		}
	}
	return 0
}

// cardEnd: 13–19 digits, ungrouped or in the 4-4-4-4 / 4-6-5 layouts,
// with a network's prefix and a valid Luhn digit.
func cardEnd(s string, r *numRun) int {
	total, k := 0, 0
	for k = 0; k < r.n && total < 19; k++ {
		if k > 0 && (r.sep[k-1] == '.' || r.sep[k-1] != r.sep[0]) {
			break
		}
		total += r.size[k]
		if total >= 13 && (k+1 == r.n || r.sep[k] != r.sep[0]) {
			k++
			break
		}
	}
	if total < 13 || total > 19 || r.end[k-1] < len(s) && setWord[s[r.end[k-1]]] {
		return 0
	}
	if k > 1 && !cardLayout(r, k) {
		return 0
	}
	d := r.digits(s, k)
	if !cardIIN(d) || !luhn(d) {
		return 0
	}
	return r.end[k-1]
}

func cardLayout(r *numRun, k int) bool {
	if k == 3 && r.size[0] == 4 && r.size[1] == 6 && (r.size[2] == 5 || r.size[2] == 4) {
		return true
	}
	for g := 0; g < k-1; g++ {
		if r.size[g] != 4 {
			return false
		}
	}
	return r.size[k-1] >= 1 && r.size[k-1] <= 4
}

// ibanEnd reads an IBAN written compactly or in groups of four.
func ibanEnd(s string, i int) int {
	if i+15 > len(s) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
		return 0
	}
	want, ok := ibanLengths[s[i:i+2]]
	if !ok {
		return 0
	}
	var buf [34]byte
	n, j := 0, i
	for j < len(s) && n < want {
		c := s[j]
		switch {
		case isDigit(c) || isUpper(c):
			buf[n] = c
			n++
			j++
		case c == ' ' && n%4 == 0 && j+1 < len(s) && (isDigit(s[j+1]) || isUpper(s[j+1])):
			j++
		default:
			return 0
		}
	}
	if n != want || j < len(s) && setWord[s[j]] || !ibanValid(string(buf[:n])) {
		return 0
	}
	return j
}

// ninoEnd: AB123456C or AB 12 34 56 C.
func ninoEnd(s string, i int) int {
	if i+9 > len(s) || !isUpper(s[i+1]) || !ninoPrefixValid(s[i], s[i+1]) {
		return 0
	}
	j, d := i+2, 0
	spaced := s[j] == ' '
	for d < 6 && j < len(s) {
		if spaced && d%2 == 0 {
			if s[j] != ' ' {
				return 0
			}
			j++
		}
		if j >= len(s) || !isDigit(s[j]) {
			return 0
		}
		j++
		d++
	}
	if spaced && j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j] < 'A' || s[j] > 'D' || j+1 < len(s) && setWord[s[j+1]] {
		return 0
	}
	return j + 1
}

// ipv6End parses an IPv6 address starting at i.
func ipv6End(s string, i int) int {
	j := i
	colons := 0
	for j < len(s) && j-i < 45 && (setHexAny[s[j]] || s[j] == ':' || s[j] == '.') {
		if s[j] == ':' {
			colons++
		}
		j++
	}
	for j > i && (s[j-1] == '.' || s[j-1] == ':' && !strings.HasSuffix(s[i:j], "::")) {
		j--
	}
	if colons < 2 || j < len(s) && setWord[s[j]] || !hasDigit(s[i:j]) {
		return 0
	}
	a, err := netip.ParseAddr(s[i:j])
	if err != nil || !a.Is6() || a.IsLoopback() || a.IsUnspecified() {
		return 0
	}
	if doc := netip.MustParsePrefix("2001:db8::/32"); doc.Contains(a) {
		return 0
	}
	return j
}

// discordEnd: a Discord bot token is base64(user ID) "." 6 bytes "."
// 27–38 bytes; the first part decoding to digits makes the check exact.
func discordEnd(s string, i, j int) int {
	if n := j - i; n < 23 || n > 28 || j >= len(s) || s[j] != '.' || strings.ContainsAny(s[i:j], "+/") {
		return 0
	}
	k := runEnd(s, j+1, setB64URL, 8)
	if k-j-1 != 6 || k >= len(s) || s[k] != '.' {
		return 0
	}
	e := runEnd(s, k+1, setB64URL, 40)
	if n := e - k - 1; n < 27 || n > 38 || e < len(s) && setB64URLD[s[e]] {
		return 0
	}
	id, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s[i:j], "="))
	if err != nil || len(id) < 15 {
		return 0
	}
	for _, c := range id {
		if !isDigit(c) {
			return 0
		}
	}
	return e
}

// entropyEnd is the backstop for secrets no rule knows: a long word of
// mixed letters and digits whose byte entropy is near that of random
// text. Hex-only words (trace and span IDs, UUIDs, SHAs), words labelled
// as digests or checksums, and base64 digests written as sha256-… are
// excluded: they are identifiers debugging needs, not credentials.
func entropyEnd(s string, i, j int) int {
	if j-i > 4096 {
		return 0
	}
	// Base64 padding belongs to the value.
	e := j
	for e < len(s) && e-j < 2 && s[e] == '=' {
		e++
	}
	if e < len(s) && setWord[s[e]] {
		e = j
	}
	w := s[i:j]
	if !entropic(w) || digestLabelled(s, i) || pathLike(w) || camelIdentifier(w) {
		return 0
	}
	return e
}

// pathLike reports a file path: at least two segments between slashes
// that are lower-case words ("/tmp/TestRun1029447268/002/out"). Random
// base64 almost never has two all-lower-case runs bounded by slashes.
func pathLike(w string) bool {
	words := 0
	for seg := range strings.SplitSeq(w, "/") {
		if len(seg) >= 2 && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyz") == "" {
			words++
		}
	}
	return words >= 2
}

// camelIdentifier reports a name made of capitalised words with a number
// after them ("TestExitCodes1029447268", "OrderService2"): generated
// names, not generated secrets, whose letters come in word runs.
func camelIdentifier(w string) bool {
	k := 0
	words := 0
	for k < len(w) {
		st := k
		if isUpper(w[k]) {
			k++
		}
		l := k
		for k < len(w) && isLower(w[k]) {
			k++
		}
		if k-l < 2 {
			k = st
			break
		}
		words++
	}
	if words < 2 {
		return false
	}
	for ; k < len(w); k++ {
		if !isDigit(w[k]) {
			return false
		}
	}
	return true
}

func entropic(w string) bool {
	var d, u, l, hex, changes int
	prev := 0
	for k := 0; k < len(w); k++ {
		c := w[k]
		cls := 3
		switch {
		case isDigit(c):
			d++
			cls = 0
		case isUpper(c):
			u++
			cls = 1
		case isLower(c):
			l++
			cls = 2
		}
		if setHexAny[c] || c == '-' {
			hex++
		}
		if k > 0 && cls != prev {
			changes++
		}
		prev = cls
	}
	n := len(w)
	if hex == n || d < 2 || u+l < 4 || changes*4 < n {
		return false
	}
	if u == 0 && (n < 32 || strings.IndexByte(w, '/') >= 0) {
		// Lower-case words this short are names (pods, hosts, slugs);
		// lower-case paths are paths.
		return false
	}
	var counts [128]uint16
	for k := 0; k < n; k++ {
		counts[w[k]&0x7f]++
	}
	// H = log2 n − (1/n)·Σ c·log2 c, with c·log2 c from a table: the
	// logarithms were most of this function's time.
	sum := 0.0
	for _, c := range counts {
		sum += clog2[c]
	}
	h := clog2Log(n) - sum/float64(n)
	ratio := 0.83
	if n >= 40 && u > 0 && l > 0 && d > 0 {
		// A long word mixing all three classes is already unlike text;
		// random base64 of 64 characters (a PEM line) has an empirical
		// entropy near 5.0 bits but a spread of ±0.15, so the bar drops.
		ratio = 0.78
	}
	return h >= ratio*clog2Log(min(n, 64))
}

// clog2[c] is c·log2(c) for the counts a word of up to 4096 bytes has.
var clog2 = func() (t [4097]float64) {
	for c := 2; c < len(t); c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()

func clog2Log(n int) float64 { return clog2[n] / float64(n) }

// digestLabelled reports whether the word at i is named as a digest,
// hash or checksum by the text just before it or by its own prefix.
func digestLabelled(s string, i int) bool {
	w := s[i:min(len(s), i+8)]
	for _, p := range []string{"sha1-", "sha256-", "sha384-", "sha512-", "md5-"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	ctx := strings.ToLower(s[max(0, i-24):i])
	for _, l := range []string{"sha1", "sha256", "sha384", "sha512", "md5", "digest", "checksum", "hash", "etag", "integrity", "fingerprint", "crc"} {
		if strings.Contains(ctx, l) {
			return true
		}
	}
	return false
}
