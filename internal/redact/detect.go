package redact

import (
	"slices"
	"sync"
)

// Class is what kind of sensitive value a finding is. Secrets are always
// replaced; each PII class is handled as the policy says.
type Class string

// Classes of findings. ClassNone marks a node or attribute with nothing
// found.
const (
	ClassNone       Class = "none"
	ClassSecret     Class = "secret"
	ClassEmail      Class = "email"
	ClassPhone      Class = "phone"
	ClassIP         Class = "ip"
	ClassCard       Class = "card"
	ClassIBAN       Class = "iban"
	ClassNationalID Class = "national_id"
)

// PIIClasses lists the PII classes a policy can configure.
var PIIClasses = []Class{ClassEmail, ClassPhone, ClassIP, ClassCard, ClassIBAN, ClassNationalID}

// Sensitivity is the coarse taint of a class: "secret" or "pii".
func (c Class) Sensitivity() string {
	switch c {
	case ClassNone, "":
		return string(ClassNone)
	case ClassSecret:
		return "secret"
	}
	return "pii"
}

// Finding is one sensitive value located in a text. It holds offsets,
// never the value, so findings can be logged and audited.
type Finding struct {
	Rule       string `json:"rule"`
	Class      Class  `json:"class"`
	Start, End int    // byte offsets into the scanned text
	prio       int
	// render, when set, produces the structured replacement (a JWT's
	// claims, a header's scheme) from the matched text and a tokenizer.
	render func(match string, tok *tokenizer) string
}

// rule is one detector. Most rules are found through a keyword: the
// automaton reports where a keyword ends and match checks, at that spot,
// whether a secret is there and where it starts and ends.
type rule struct {
	id       string
	class    Class
	keywords []string
	// match inspects s around the keyword s[ks:ke] and returns the span of
	// the value to replace.
	match  func(s string, ks, ke int) (start, end int, ok bool)
	render func(match string, tok *tokenizer) string
	// prio breaks ties between findings of the same span: a provider's
	// rule (1) names the value better than a generic one (0), and a
	// structured rendering (2) beats both.
	prio int
}

// Detector finds secrets and PII in free text. It is safe for concurrent
// use and cheap to share: build it once.
type Detector struct {
	rules []*rule
	ac    *acMatcher
	// kwRule maps a keyword to its rule; -1 marks the protected prefixes.
	kwRule []int32
}

// protectedPrefixes start the renderings the redactor itself emits. Text
// inside a well-formed rendering is never reported again, which is what
// makes redaction idempotent and keeps the egress guard quiet on tokens.
var protectedPrefixes = []string{"<token:", "<hash:"}

var (
	defaultDetectorOnce sync.Once
	defaultDetector     *Detector
)

// DefaultDetector returns the detector with the full built-in rule set.
func DefaultDetector() *Detector {
	defaultDetectorOnce.Do(func() { defaultDetector = newDetector(builtinRules()) })
	return defaultDetector
}

func newDetector(rules []*rule) *Detector {
	d := &Detector{rules: rules}
	var kws []string
	for _, p := range protectedPrefixes {
		kws = append(kws, p)
		d.kwRule = append(d.kwRule, -1)
	}
	for ri, r := range rules {
		for _, k := range r.keywords {
			kws = append(kws, k)
			d.kwRule = append(d.kwRule, int32(ri))
		}
	}
	d.ac = newACMatcher(kws)
	return d
}

// RuleIDs returns the IDs of the detector's rules, keyword and shape
// rules alike, for documentation and tests.
func (d *Detector) RuleIDs() []string {
	ids := []string{}
	for _, r := range d.rules {
		ids = append(ids, r.id)
	}
	ids = append(ids, shapeRuleIDs...)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Find returns the non-overlapping findings in s, in order.
func (d *Detector) Find(s string) []Finding {
	return d.find(s, nil)
}

type span struct{ start, end int }

func (d *Detector) find(s string, out []Finding) []Finding {
	if len(s) < 3 {
		return out
	}
	var protect []span
	base := len(out)
	d.ac.scan(s, func(kw, end int) int {
		ri := d.kwRule[kw]
		if ri < 0 {
			if e, ok := tokenRenderingEnd(s, end-len(protectedPrefixes[kw])); ok {
				protect = append(protect, span{end - len(protectedPrefixes[kw]), e})
				return e
			}
			return 0
		}
		r := d.rules[ri]
		st, en, ok := r.match(s, end-d.ac.lens[kw], end)
		if !ok {
			return 0
		}
		out = append(out, Finding{Rule: r.id, Class: r.class, Start: st, End: en, prio: r.prio, render: r.render})
		// The scan goes on inside the span: a keyword there may start a
		// protected rendering that must veto this finding.
		return 0
	})
	out = scanShapes(s, out, protect)
	return resolve(out, base, protect)
}

// resolve sorts the findings after base, drops those inside protected
// spans and, of overlapping findings, keeps the earlier and then the
// longer one.
func resolve(out []Finding, base int, protect []span) []Finding {
	fs := out[base:]
	if len(fs) == 0 {
		return out
	}
	slices.SortFunc(fs, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if a.End != b.End {
			return b.End - a.End
		}
		return b.prio - a.prio
	})
	kept := fs[:0]
	lastEnd := -1
	for _, f := range fs {
		if f.Start < lastEnd || f.End <= f.Start || inProtected(f, protect) {
			continue
		}
		kept = append(kept, f)
		lastEnd = f.End
	}
	return out[:base+len(kept)]
}

func inProtected(f Finding, protect []span) bool {
	for _, p := range protect {
		if f.Start < p.end && p.start < f.End {
			return true
		}
	}
	return false
}
