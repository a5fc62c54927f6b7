// Package rewrite writes redacted copies of evidence files in their own
// format (`tag redact --policy P FILE...`), so a dump or trace file can be
// attached to a ticket or shared with a vendor without what the policy
// removes.
//
// Structured formats are rewritten value by value with the same field
// rules and detectors the ingest path applies (the JSON key, or an OTLP /
// Jaeger {key, value} pair's key, stands for the attribute key); text
// formats pass the detectors line by line. Every copy is checked by the
// egress detectors before it is returned: a copy that still matches is an
// error, never a file.
package rewrite

import (
	"errors"
	"fmt"

	"github.com/tagdebug/tag/internal/redact"
)

// ErrUnsupported is returned for formats whose files cannot be rewritten
// in place (binary execution traces): their decoded graph is still
// redacted on ingest.
var ErrUnsupported = errors.New("rewrite: format cannot be rewritten")

// Copy returns a redacted copy of data, an evidence file of the given
// format (a decoder's Format name).
func Copy(e *redact.Engine, format string, data []byte) ([]byte, error) {
	out, scan, err := rewrite(e, format, data)
	if err != nil {
		return nil, err
	}
	g := redact.NewGuard(e, nil)
	if err := g.Check(scan, "redacted copy"); err != nil {
		return nil, fmt.Errorf("rewrite: the %s copy still carries sensitive values, not writing it: %w", format, err)
	}
	return out, nil
}

// rewrite returns the copy and the text the guard checks: the copy
// itself, or for binary formats the text inside it (random bytes of a
// gzip stream must not pass for a high-entropy secret).
func rewrite(e *redact.Engine, format string, data []byte) (out, scan []byte, err error) {
	switch format {
	case "otlp-json", "jaeger-json", "zipkin-json", "json-log":
		out, err = rewriteJSON(e, data)
		return out, out, err
	case "otlp-proto":
		return rewriteOTLPProto(e, data)
	case "tag-capsule":
		return rewriteCapsule(e, data)
	case "pprof":
		return rewritePprof(e, data)
	case "go-exectrace":
		return nil, nil, fmt.Errorf("%w: %s is a binary event stream; `tag ingest` redacts its decoded graph, and --dry-run shows what that changes", ErrUnsupported, format)
	default:
		out = rewriteText(e, data)
		return out, out, nil
	}
}
