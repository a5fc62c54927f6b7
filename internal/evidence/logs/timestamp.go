package logs

import (
	"strconv"
	"strings"
	"time"
)

// parseTime reads a record's timestamp as Unix nanoseconds (UTC):
// RFC 3339 and its common variants (a space for 'T', a comma before the
// fraction as Python's asctime writes, zones as Z, ±hh:mm, ±hhmm or
// none, meaning UTC), or a number of epoch seconds, milliseconds,
// microseconds or nanoseconds told apart by magnitude. It reports false
// for anything else and for times at or before the epoch.
func parseTime(v val) (int64, bool) {
	switch v.kind {
	case kNum, kBare, kStr:
	default:
		return 0, false
	}
	s := v.s
	if s == "" {
		return 0, false
	}
	if c := s[0]; '0' <= c && c <= '9' && len(s) >= 19 && s[4] == '-' {
		return parseDate(s)
	}
	return parseEpoch(s)
}

// Magnitude bounds for epoch numbers: seconds up to 1e11 reach the year
// 5138, so anything bigger is finer-grained. Milliseconds below 1e14,
// microseconds below 1e17, nanoseconds beyond.
const (
	maxSeconds = 1e11
	maxMillis  = 1e14
	maxMicros  = 1e17
)

func parseEpoch(s string) (int64, bool) {
	if strings.ContainsAny(s, "eE") {
		// Exponent form (some encoders write 1.7e+09): float precision is
		// all there is.
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f >= 9e18 {
			return 0, false
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	ip, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseUint(ip, 10, 64)
	if err != nil || n == 0 || n > 9e18 || !allDigits(frac) {
		return 0, false
	}
	var unit, digits int64
	switch {
	case n < maxSeconds:
		unit, digits = 1e9, 9
	case n < maxMillis:
		unit, digits = 1e6, 6
	case n < maxMicros:
		unit, digits = 1e3, 3
	default:
		unit, digits = 1, 0
	}
	if int64(n) > (1<<63-1)/unit {
		return 0, false
	}
	return int64(n)*unit + fraction(frac, int(digits)), true
}

// fraction reads the first digits of a decimal fraction as an integer
// of that many digits ("5", 9 → 500000000).
func fraction(frac string, digits int) int64 {
	var f int64
	for i := 0; i < digits; i++ {
		f *= 10
		if i < len(frac) {
			f += int64(frac[i] - '0')
		}
	}
	return f
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate reads "2006-01-02T15:04:05[.frac][zone]" by hand: time.Parse
// would need one layout per variant and is several times slower.
func parseDate(s string) (int64, bool) {
	num := func(i, n int) int {
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	if s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	year, mon, day := num(0, 4), num(5, 2), num(8, 2)
	hour, min, sec := num(11, 2), num(14, 2), num(17, 2)
	if year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
		min < 0 || min > 59 || sec < 0 || sec > 60 {
		return 0, false
	}
	rest := s[19:]
	var nsec int64
	if len(rest) > 0 && (rest[0] == '.' || rest[0] == ',') {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return 0, false
		}
		nsec = fraction(rest[1:i], 9)
		rest = rest[i:]
	}
	off, ok := zoneOffset(rest)
	if !ok {
		return 0, false
	}
	t := time.Date(year, time.Month(mon), day, hour, min, sec, int(nsec), time.UTC)
	ns := t.UnixNano() - int64(off)*int64(time.Second)
	return ns, ns > 0
}

// zoneOffset reads "", "Z", "UTC", "±hh", "±hhmm" or "±hh:mm" as seconds
// east of UTC.
func zoneOffset(z string) (int, bool) {
	z = strings.TrimPrefix(z, " ")
	switch z {
	case "", "Z", "z", "UTC", "GMT":
		return 0, true
	}
	if z[0] != '+' && z[0] != '-' {
		return 0, false
	}
	d := strings.Replace(z[1:], ":", "", 1)
	if (len(d) != 2 && len(d) != 4) || !allDigits(d) {
		return 0, false
	}
	h, _ := strconv.Atoi(d[:2])
	m := 0
	if len(d) == 4 {
		m, _ = strconv.Atoi(d[2:])
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}
