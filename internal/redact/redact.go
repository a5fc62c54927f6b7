// Package redact is the stage every byte of evidence passes before it is
// stored, shown or sent (DESIGN.md §6). This first cut applies no field
// rules yet; it defines the stage's interface and stamps the policy
// version onto every fragment so stored artifacts record what was applied.
// Policies, detectors, keyed tokens and the egress guard build on it.
package redact

import "github.com/tagdebug/tag/epg"

// Redactor rewrites a fragment in place according to a policy.
type Redactor interface {
	// Version identifies the policy (a content hash), recorded on every
	// node the redactor has processed.
	Version() string
	// Redact rewrites f in place and stamps it with Version.
	Redact(f *epg.Fragment) error
}

// None is the redactor used before a policy exists: it changes no values
// and stamps the version "none", so stores written now are recognisable
// as unredacted later.
type None struct{}

// Version implements Redactor.
func (None) Version() string { return "none" }

// Redact implements Redactor.
func (None) Redact(f *epg.Fragment) error {
	f.StampPolicy("none")
	return nil
}

var _ Redactor = None{}
