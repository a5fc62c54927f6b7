package report

import (
	"strings"
)

// fence wraps text in a code block whose fence is longer than any run of
// backticks inside it, so evidence cannot close the block early.
func fence(sb *strings.Builder, lang, text string) {
	n := 3
	run := 0
	for _, c := range text {
		if c == '`' {
			run++
			n = max(n, run+1)
		} else {
			run = 0
		}
	}
	f := strings.Repeat("`", n)
	sb.WriteString(f + lang + "\n")
	sb.WriteString(strings.TrimRight(text, "\n"))
	sb.WriteString("\n" + f + "\n\n")
}

// cell makes text safe for one Markdown table cell.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return " "
	}
	return s
}

// inline makes text safe as inline code.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// boundLines keeps the first head and last tail lines of s and says how
// many lines it left out between them.
func boundLines(s string, head, tail int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= head+tail+1 {
		return strings.Join(lines, "\n")
	}
	out := append([]string{}, lines[:head]...)
	out = append(out, "… "+itoa(len(lines)-head-tail)+" lines left out (full text in the bundle) …")
	out = append(out, lines[len(lines)-tail:]...)
	return strings.Join(out, "\n")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
