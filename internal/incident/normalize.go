package incident

import (
	"regexp"
	"strings"

	"github.com/tagdebug/tag/internal/redact"
)

var (
	reUUID   = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	reHex    = regexp.MustCompile(`(?i)\b(0x[0-9a-f]+|[0-9a-f]{8,})\b`)
	reNum    = regexp.MustCompile(`\d+(\.\d+)?`)
	reQuoted = regexp.MustCompile(`"[^"]*"|'[^']*'`)
	reSpace  = regexp.MustCompile(`\s+`)
)

// Normalize strips the variable parts of an error message so that
// occurrences of one failure compare equal.
func Normalize(msg string) string {
	if len(msg) > 512 {
		msg = msg[:512]
	}
	msg = reUUID.ReplaceAllString(msg, "<uuid>")
	msg = reHex.ReplaceAllString(msg, "<hex>")
	msg = reQuoted.ReplaceAllString(msg, "<str>")
	msg = reNum.ReplaceAllString(msg, "<n>")
	return strings.TrimSpace(reSpace.ReplaceAllString(msg, " "))
}

var reTimeout = regexp.MustCompile(`(?i)deadline[ _]exceeded|timed? ?out\b|timeout`)

// isTimeoutText reports whether a status or error message says a deadline
// passed.
func isTimeoutText(s string) bool { return reTimeout.MatchString(s) }

// clip shortens s for titles.
func clip(s string, n int) string { return redact.Shorten(s, n) }
