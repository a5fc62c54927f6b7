package redact

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Shorten returns the first line of s cut to at most n bytes plus "…",
// for titles and one-line summaries. The cut falls on a rune boundary and
// never inside one of the redactor's renderings (<token:…>, <hash:…>,
// <jwt …>): half a token would no longer be recognisable as one, and the
// egress guard would rightly take its hex for a value.
func Shorten(s string, n int) string {
	s = strings.TrimSpace(strings.SplitN(s, "\n", 2)[0])
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if open := strings.LastIndexByte(s[:cut], '<'); open >= 0 && !strings.Contains(s[open:cut], ">") && startsRendering(s[open:]) {
		cut = open
	}
	return strings.TrimRight(s[:cut], " ") + "…"
}

// startsRendering reports whether s starts with one of the redactor's own
// renderings.
func startsRendering(s string) bool {
	return strings.HasPrefix(s, "<jwt") || slices.ContainsFunc(protectedPrefixes, func(p string) bool { return strings.HasPrefix(s, p) })
}
