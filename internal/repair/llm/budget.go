package llm

import (
	"fmt"
	"strings"
)

// estimateTokens estimates a text's token count as a quarter of its
// bytes. An exact BPE count (tiktoken) needs its vocabulary files, which
// would be downloaded at run time; a budget only needs the right order of
// magnitude, and bytes/4 errs on the generous side for code.
func estimateTokens(s string) int { return (len(s) + 3) / 4 }

// section is one labelled block of evidence: items kept in order while
// they fit its budget, and a count of those left out.
type section struct {
	// id labels the fence ("failure", "code", ...).
	id string
	// title is the heading above the fence.
	title string
	// items are the section's lines or blocks, most important first.
	items []string
	// unit names an item in the omission line ("spans", "excerpts").
	unit string
	// share is the section's part of the total budget, in percent.
	share int
	// omitted counts items left out before the section was built (an
	// analysis's own bounds).
	omitted int
}

// condense renders sections within budget tokens. Each section gets its
// share; what a section leaves unused passes to the next.
func condense(secs []section, budget int) string {
	var b strings.Builder
	carry := 0
	for _, s := range secs {
		if len(s.items) == 0 && s.omitted == 0 {
			continue
		}
		allowed := budget*s.share/100 + carry
		text, used := s.render(allowed)
		b.WriteString(text)
		carry = max(allowed-used, 0)
	}
	return b.String()
}

// render writes the section's heading and fenced items within allowed
// tokens and returns the text and its estimated tokens.
func (s section) render(allowed int) (string, int) {
	var body strings.Builder
	used := estimateTokens(s.title) + 16
	kept := 0
	for _, it := range s.items {
		t := estimateTokens(it) + 1
		if used+t > allowed {
			break
		}
		body.WriteString(it)
		if !strings.HasSuffix(it, "\n") {
			body.WriteByte('\n')
		}
		used += t
		kept++
	}
	if n := len(s.items) - kept + s.omitted; n > 0 {
		fmt.Fprintf(&body, "… %d more %s omitted\n", n, s.unit)
	}
	return "### " + s.title + "\n" + fenceData(s.id, body.String()) + "\n", used
}

// fenceData quotes text as untrusted evidence: a fence longer than any
// backtick run inside it, so the text cannot close it, with a label
// saying what it is.
func fenceData(label, text string) string {
	longest, run := 0, 0
	for i := 0; i < len(text); i++ {
		if text[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return fence + "untrusted-evidence " + label + "\n" + text + fence + "\n"
}
