package rewrite

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// rewriteCapsule copies a capture-SDK capsule: its JSON value by value
// like any JSON evidence, its goroutine dumps through the detectors as
// text, and without its binary attachments (heap profiles and execution
// traces are redacted when ingested, not rewritten). The guard sees the
// JSON and the dumps' text, not base64.
func rewriteCapsule(e *redact.Engine, data []byte) (out, scan []byte, err error) {
	c, err := capsule.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("capsule: %w", err)
	}
	var dumps []capsule.Attachment
	var scanText []byte
	var strip func(c *capsule.Capsule) []capsule.Attachment
	strip = func(c *capsule.Capsule) []capsule.Attachment {
		var kept []capsule.Attachment
		for _, a := range c.Attachments {
			if a.Kind == capsule.AttachGoroutines {
				a.Data = []byte(e.RedactText(string(a.Data)))
				scanText = append(append(scanText, a.Data...), '\n')
				kept = append(kept, a)
			}
		}
		c.Attachments = nil
		return kept
	}
	dumps = strip(c)
	for _, p := range c.Peers {
		if p != nil {
			p.Attachments = nil
		}
	}
	// Plain text, no \u0026-style escapes: rewriteJSON's in-place walk
	// rewrites escaped strings badly (noted for a fix).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	c.Format = capsule.Version
	if err := enc.Encode(c); err != nil {
		return nil, nil, err
	}
	bare := bytes.TrimSpace(buf.Bytes())
	red, err := rewriteJSON(e, bare)
	if err != nil {
		return nil, nil, err
	}
	rc, err := capsule.Decode(red)
	if err != nil {
		return nil, nil, fmt.Errorf("capsule: the redacted copy is no longer a capsule: %w", err)
	}
	rc.Attachments = dumps
	out, err = capsule.Encode(rc)
	if err != nil {
		return nil, nil, err
	}
	return out, append(append(red, '\n'), scanText...), nil
}
