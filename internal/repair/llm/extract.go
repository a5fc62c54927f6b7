package llm

import (
	"strings"
)

// diffBlocks returns the unified diffs in a model's reply: the contents
// of its fenced blocks labelled diff or patch (or unlabelled blocks that
// read as diffs), else the reply itself when it reads as a bare diff.
func diffBlocks(text string) []string {
	var out []string
	lines := strings.SplitAfter(text, "\n")
	for i := 0; i < len(lines); i++ {
		fence, info, ok := openFence(lines[i])
		if !ok {
			continue
		}
		var body strings.Builder
		j := i + 1
		for ; j < len(lines); j++ {
			t := strings.TrimRight(lines[j], " \t\r\n")
			if strings.HasPrefix(t, fence) && strings.Trim(t, "`~") == "" {
				break
			}
			body.WriteString(lines[j])
		}
		i = j
		b := body.String()
		if info == "diff" || info == "patch" || info == "udiff" || info == "" && looksLikeDiff(b) {
			out = append(out, b)
		}
	}
	if len(out) == 0 && looksLikeDiff(text) {
		out = append(out, text)
	}
	return out
}

// openFence reports whether line opens a fenced block, with the fence
// and the first word of the info string.
func openFence(line string) (fence, info string, ok bool) {
	t := strings.TrimRight(strings.TrimLeft(line, " "), "\r\n")
	n := 0
	for n < len(t) && (t[n] == '`' || t[n] == '~') && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	f := strings.Fields(t[n:])
	if len(f) > 0 {
		info = strings.ToLower(f[0])
	}
	return t[:n], info, true
}

func looksLikeDiff(s string) bool {
	return strings.Contains(s, "@@ -") && (strings.Contains(s, "\n+++ ") || strings.HasPrefix(s, "+++ ") ||
		strings.Contains(s, "--- ") || strings.Contains(s, "diff --git "))
}

// whyLine returns the text after a "Why:" line of the reply, or the
// reply's prose outside fences, shortened.
func whyLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(strings.TrimLeft(l, "*_# "))
		if len(t) > 4 && strings.EqualFold(t[:4], "why:") {
			return strings.TrimSpace(t[4:])
		}
	}
	var prose []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		if _, _, ok := openFence(l); ok {
			in = !in
			continue
		}
		if !in && strings.TrimSpace(l) != "" {
			prose = append(prose, strings.TrimSpace(l))
		}
	}
	s := strings.Join(prose, " ")
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}
