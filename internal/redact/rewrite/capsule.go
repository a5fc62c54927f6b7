package rewrite

import (
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
	for _, a := range c.Attachments {
		if a.Kind == capsule.AttachGoroutines {
			a.Data = []byte(e.RedactText(string(a.Data)))
			scanText = append(append(scanText, a.Data...), '\n')
			dumps = append(dumps, a)
		}
	}
	c.Attachments = nil
	for _, p := range c.Peers {
		if p != nil {
			p.Attachments = nil
		}
	}
	bare, err := capsule.Encode(c)
	if err != nil {
		return nil, nil, err
	}
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
