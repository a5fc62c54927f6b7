package report

import (
	"crypto/rand"
	"fmt"

	"github.com/tagdebug/tag/internal/redact"
)

// guardOrDefault returns g, or a guard over the built-in policy when g is
// nil: nothing leaves unchecked because a caller forgot to pass one. Its
// key only salts the hashes of refused values, so a fresh one will do.
func guardOrDefault(g *redact.Guard) (*redact.Guard, error) {
	if g != nil {
		return g, nil
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	e, err := redact.New(nil, key)
	if err != nil {
		return nil, err
	}
	return redact.NewGuard(e, nil), nil
}

// checkParts runs every part through the guard before anything is
// written or sent, so a refusal leaves nothing behind. The error names the
// part; the guard's own error names rules and offsets, never the value.
func checkParts(g *redact.Guard, sink string, parts []part) error {
	for _, p := range parts {
		if err := g.Check(p.data, sink+":"+p.name); err != nil {
			return fmt.Errorf("report: %s refused by the egress guard: %w", p.name, err)
		}
	}
	return nil
}

// part is one named payload.
type part struct {
	name string
	data []byte
}
