// Package redact is the stage every byte of evidence passes before it is
// stored, shown or sent (DESIGN.md §6).
//
// An [Engine] applies a YAML [Policy] (field rules on attribute keys,
// headers, URL query parameters, log-body paths; default-deny bodies;
// SQL literal stripping) and then runs the [Detector] — provider secret
// rules, PII detectors and a high-entropy backstop — over every string
// that is left. Found values become keyed tokens (<token:label:hex>),
// equal values giving equal tokens under the installation key
// ([LoadOrCreateKey]) so evidence still joins and nothing is recoverable.
// Nodes record what was found ([AttrSensitivity], [AttrTainted]);
// [ForModel] builds the view that leaves tainted fields out, and [Guard]
// refuses any outbound payload that still matches a detector.
//
// Detection is built for throughput: one Aho–Corasick pass over the
// bytes finds rule keywords, cheap anchored checks run only where a
// keyword is, and one word pass handles the keyword-less shapes (phone
// numbers, cards, IPs, high-entropy strings). No regular expression runs
// over whole values.
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
