package rewrite

import (
	"bytes"

	"github.com/tagdebug/tag/internal/redact"
)

// rewriteText passes dumps, crash text and logfmt through the detectors.
// It works on paragraphs (runs of lines between blank lines) rather than
// the whole file, so memory stays bounded on large dumps, while a PEM
// block or a multi-line stack stays in one piece.
func rewriteText(e *redact.Engine, data []byte) []byte {
	out := make([]byte, 0, len(data))
	for len(data) > 0 {
		end := bytes.Index(data, []byte("\n\n"))
		if end < 0 {
			end = len(data)
		} else {
			end += 2
		}
		out = append(out, e.RedactText(string(data[:end]))...)
		data = data[end:]
	}
	return out
}
