package cohort

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// TypeOf names a span's type: its service and its operation with the
// variable parts (numeric, hex and UUID path segments, query strings)
// replaced by "{id}", so "GET /users/42" and "GET /users/7" are one type.
func TypeOf(n *epg.Node) string {
	op := Operation(n)
	if n.Service == "" {
		return op
	}
	return n.Service + " " + op
}

// Operation returns a span's normalised operation name. A span named by
// its HTTP method alone is named by method and route when it has one.
func Operation(n *epg.Node) string {
	name := n.Name
	if !strings.ContainsAny(name, " /") {
		if r := n.Attrs.Str(epg.AttrHTTPRoute); r != "" {
			name += " " + r
		}
	}
	if i := strings.IndexByte(name, '?'); i >= 0 {
		name = name[:i]
	}
	if !strings.ContainsAny(name, "0123456789") {
		return name
	}
	segs := strings.Split(name, "/")
	for i, s := range segs {
		if isIdentifier(s) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// isIdentifier reports whether a path segment looks like a value rather
// than a name: all digits, a UUID, or a long hex string with a digit.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	digits, hex := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '-':
			hex++
		default:
			return false
		}
	}
	return digits == len(s) || digits > 0 && len(s) >= 8
}

// Volatile reports whether an attribute key names a value that differs on
// every request by design (an identifier or a timestamp) and so says
// nothing when compared across traces.
func Volatile(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "id", "uuid", "guid", epg.AttrParentSpanID, "trace_id", "span_id", "timestamp":
		return true
	}
	for _, suf := range volatileSuffixes {
		if strings.HasSuffix(k, suf) {
			return true
		}
	}
	return false
}

var volatileSuffixes = []string{
	".id", "_id", "-id", ".ids", "_ids", ".uuid", "_uuid", ".guid",
	"traceid", "spanid", "requestid",
	".time", "_time", ".timestamp", "_timestamp", "_at", ".at", "_ts",
}
