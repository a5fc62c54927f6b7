package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// ErrEgressBlocked is wrapped by the error Guard.Check returns when a
// payload still carries a secret or PII.
var ErrEgressBlocked = errors.New("redact: egress blocked")

// Guard is the last check before bytes leave TAG (DESIGN.md §6): model
// requests, MCP and API responses, PR bodies, webhooks. It runs the same
// detectors as the redactor and refuses a payload that still matches. Our
// own renderings (<token:…>, <hash:…>, <jwt …>) never match, so redacted
// evidence passes. It is safe for concurrent use.
type Guard struct {
	det   *Detector
	tok   *tokenizer
	pii   map[Class]Action
	mu    sync.Mutex
	audit io.Writer
	// Now is the clock for audit records; nil means time.Now.
	Now func() time.Time
	// AuditAllowed also writes a record for payloads that pass.
	AuditAllowed bool
}

// NewGuard returns a guard using e's key and PII settings (a PII class the
// policy allows does not block) that writes audit records to audit (nil
// for none).
func NewGuard(e *Engine, audit io.Writer) *Guard {
	return &Guard{det: e.det, tok: e.tok, pii: e.global.pii, audit: audit}
}

// OpenAuditLog opens (creating, mode 0600) an append-only JSON-lines
// audit file for a guard.
func OpenAuditLog(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
}

// AuditRecord is one line of the audit log. It never holds the payload or
// a matched value: offsets, rule IDs and keyed hashes only, the hashes
// equal to the hex of the tokens the redactor would have made.
type AuditRecord struct {
	Time     time.Time      `json:"time"`
	Sink     string         `json:"sink"`
	Verdict  string         `json:"verdict"` // "blocked" or "allowed"
	Bytes    int            `json:"bytes"`
	Payload  string         `json:"payload_hmac"`
	Findings []AuditFinding `json:"findings,omitempty"`
}

// AuditFinding locates one match in a blocked payload.
type AuditFinding struct {
	Rule   string `json:"rule"`
	Class  Class  `json:"class"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
	Hash   string `json:"value_hmac"`
}

// EgressError says why a payload was refused.
type EgressError struct {
	Sink     string
	Findings []AuditFinding
}

// Error says which sink was refused and by which rules, never the value.
func (e *EgressError) Error() string {
	var rules []string
	for _, f := range e.Findings {
		rules = append(rules, fmt.Sprintf("%s@%d", f.Rule, f.Offset))
	}
	return fmt.Sprintf("redact: egress to %s blocked: payload still contains %s", e.Sink, strings.Join(rules, ", "))
}

// Unwrap makes errors.Is(err, ErrEgressBlocked) true.
func (e *EgressError) Unwrap() error { return ErrEgressBlocked }

// Check scans payload bound for sink. It returns nil if the payload may
// leave, an *EgressError otherwise, and writes an audit record for every
// refusal. JSON's \u003c-style escapes are undone before scanning so an
// encoder's escaping neither hides a secret nor makes a token look like
// one; offsets refer to that unescaped text.
func (g *Guard) Check(payload []byte, sink string) error {
	s := unescapeJSONAngles(string(payload))
	var found []AuditFinding
	for _, f := range g.det.find(s, nil) {
		if f.Class != ClassSecret && g.pii[f.Class] == ActAllow {
			continue
		}
		found = append(found, AuditFinding{Rule: f.Rule, Class: f.Class, Offset: f.Start, Length: f.End - f.Start,
			Hash: g.tok.sum(s[f.Start:f.End], tokenHexLen)})
	}
	if len(found) == 0 {
		if g.AuditAllowed {
			return g.write(AuditRecord{Sink: sink, Verdict: "allowed", Bytes: len(payload), Payload: g.tok.sum(string(payload), hashHexLen)})
		}
		return nil
	}
	rec := AuditRecord{Sink: sink, Verdict: "blocked", Bytes: len(payload), Payload: g.tok.sum(string(payload), hashHexLen), Findings: found}
	if err := g.write(rec); err != nil {
		return errors.Join(&EgressError{Sink: sink, Findings: found}, err)
	}
	return &EgressError{Sink: sink, Findings: found}
}

func (g *Guard) write(rec AuditRecord) error {
	if g.audit == nil {
		return nil
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	rec.Time = now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	_, err = g.audit.Write(append(b, '\n'))
	return err
}

func unescapeJSONAngles(s string) string {
	if !strings.Contains(s, `\u00`) {
		return s
	}
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u003C`, "<", `\u003E`, ">").Replace(s)
}
