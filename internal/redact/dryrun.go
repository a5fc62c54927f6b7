package redact

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/tagdebug/tag/epg"
)

// Change is one edit the redactor makes, as `tag redact --dry-run` shows
// it. Before is masked: enough to recognise the value, never enough to
// use it.
type Change struct {
	Node   string `json:"node"`
	Key    string `json:"key"`    // attribute key, or "@name", "@id", "@loc.file", …
	Action string `json:"action"` // drop, hash, tokenize, truncate, schema, structured, url, sql
	Rule   string `json:"rule"`   // detector rule ID, or "policy:<section>:<glob>"
	Before string `json:"before"`
	After  string `json:"after"`
}

type recorder struct{ changes []Change }

// Mask shows the first and last two characters of s around an ellipsis
// ("ab…yz"), or only "…" when s is too short for that to be safe.
func Mask(s string) string {
	n := utf8.RuneCountInString(s)
	if n < 10 {
		return "…"
	}
	r := []rune(s)
	return string(r[:2]) + "…" + string(r[n-2:])
}

// WriteDiff renders changes as a readable diff, one block per node:
//
//	span:4bf9…:00f0…
//	  - exception.message  gh…ef      (github-pat)
//	  + exception.message  <token:github-pat:1a2b3c4d5e6f>
func WriteDiff(w io.Writer, changes []Change) error {
	last := ""
	for _, c := range changes {
		if c.Node != last {
			if _, err := fmt.Fprintf(w, "%s\n", c.Node); err != nil {
				return err
			}
			last = c.Node
		}
		after := c.After
		if c.Action == string(ActDrop) {
			after = "(dropped)"
		}
		if _, err := fmt.Fprintf(w, "  - %s  %s  (%s: %s)\n  + %s  %s\n", c.Key, c.Before, c.Action, c.Rule, c.Key, after); err != nil {
			return err
		}
	}
	return nil
}

// cloneFragment copies f deeply enough that redacting the copy leaves f
// alone: node and edge slices, attribute lists and locations. Values are
// immutable and shared.
func cloneFragment(f *epg.Fragment) *epg.Fragment {
	c := *f
	c.Nodes = make([]epg.Node, len(f.Nodes))
	for i, n := range f.Nodes {
		n.Attrs = append(epg.Attrs(nil), n.Attrs...)
		if n.Loc != nil {
			loc := *n.Loc
			n.Loc = &loc
		}
		c.Nodes[i] = n
	}
	c.Edges = make([]epg.Edge, len(f.Edges))
	for i, e := range f.Edges {
		e.Attrs = append(epg.Attrs(nil), e.Attrs...)
		c.Edges[i] = e
	}
	c.Skews = append([]epg.Skew(nil), f.Skews...)
	return &c
}
