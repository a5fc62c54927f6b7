package logs

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
)

// hexID reads a trace or span ID written in hex, as OpenTelemetry's log
// bridges, ECS and most tracers write them, normalised to width digits.
// Google Cloud Logging writes the trace as "projects/P/traces/ID". An
// all-zero ID (Python's otelTraceID "0" outside a span) is valid but
// absent: ok is true and id empty, so the field is dropped rather than
// kept as noise.
func hexID(v val, width int) (id string, ok bool) {
	s, isText := scalarText(v)
	if !isText {
		return "", false
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 && strings.HasPrefix(s, "projects/") {
		s = s[i+1:]
	}
	id, zero, ok := evidence.NormHex(s, width)
	if !ok {
		return "", false
	}
	if zero {
		return "", true
	}
	return id, true
}

// ddID reads a Datadog ID: the tracers inject dd.trace_id and dd.span_id
// as decimal unsigned 64-bit integers (strings or numbers). It returns 16
// hex digits, left-padded with zeros to width, so a Datadog trace ID
// joins the lower half of the W3C trace ID the same request carries.
// With 128-bit trace ID logging enabled the tracers write 32 hex digits
// instead, which are taken as they are.
func ddID(v val, width int) (id string, ok bool) {
	s, isText := scalarText(v)
	if !isText {
		return "", false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		if len(s) == evidence.TraceIDHex && width == evidence.TraceIDHex {
			return hexID(v, width)
		}
		return "", false
	}
	if n == 0 {
		return "", true
	}
	h := strconv.FormatUint(n, 16)
	return strings.Repeat("0", width-len(h)) + h, true
}

// scalarText returns the text of a string, number or bare value.
func scalarText(v val) (string, bool) {
	switch v.kind {
	case kStr, kNum, kBare:
		return v.s, true
	}
	return "", false
}
