package template

import (
	"fmt"
	"strings"
)

// contextLines is the unified diff context, as git uses.
const contextLines = 3

// unifiedDiff returns a git-style diff of one file from old to new; old
// empty means a new file. It returns "" when nothing changed.
func unifiedDiff(path, old, new string) string {
	if old == new {
		return ""
	}
	a, b := splitLines(old), splitLines(new)
	ops := diffLines(a, b)
	var sb strings.Builder
	fmt.Fprintf(&sb, "diff --git a/%s b/%s\n", path, path)
	if old == "" {
		sb.WriteString("new file mode 100644\n--- /dev/null\n")
	} else {
		fmt.Fprintf(&sb, "--- a/%s\n", path)
	}
	fmt.Fprintf(&sb, "+++ b/%s\n", path)
	writeHunks(&sb, ops, a, b)
	return sb.String()
}

// splitLines splits text into lines that keep their "\n"; a last line
// without one is marked for the "\ No newline" trailer.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// op is one line of an edit script: ' ' kept, '-' deleted, '+' added,
// with its index in a (for ' ' and '-') or b (for '+').
type op struct {
	kind byte
	a, b int
}

// diffLines is a longest-common-subsequence diff after trimming the common
// prefix and suffix; template edits are local, so the middle is small.
func diffLines(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []op
	for i := range pre {
		ops = append(ops, op{' ', i, i})
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			ops = append(ops, op{' ', pre + i, pre + j})
			i, j = i+1, j+1
		case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, op{'-', pre + i, pre + j})
			i++
		default:
			ops = append(ops, op{'+', pre + i, pre + j})
			j++
		}
	}
	for k := range suf {
		ops = append(ops, op{' ', len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}

// writeHunks groups the edit script into hunks with context.
func writeHunks(sb *strings.Builder, ops []op, a, b []string) {
	for start := 0; start < len(ops); {
		for start < len(ops) && ops[start].kind == ' ' {
			start++
		}
		if start == len(ops) {
			return
		}
		lo := max(0, start-contextLines)
		hi := start
		for k := start; k < len(ops); k++ {
			if ops[k].kind != ' ' {
				hi = k
				continue
			}
			if k-hi > 2*contextLines {
				break
			}
		}
		hi = min(len(ops)-1, hi+contextLines)
		writeHunk(sb, ops[lo:hi+1], a, b)
		start = hi + 1
	}
}

func writeHunk(sb *strings.Builder, h []op, a, b []string) {
	var na, nb int
	sa, sbb := -1, -1
	for _, o := range h {
		if o.kind != '+' {
			na++
			if sa < 0 {
				sa = o.a
			}
		}
		if o.kind != '-' {
			nb++
			if sbb < 0 {
				sbb = o.b
			}
		}
	}
	// An empty side is numbered by the line before it, as diff(1) does.
	if sa < 0 {
		sa = h[0].a - 1
	}
	if sbb < 0 {
		sbb = h[0].b - 1
	}
	fmt.Fprintf(sb, "@@ -%s +%s @@\n", hunkRange(sa, na), hunkRange(sbb, nb))
	for _, o := range h {
		line := ""
		switch o.kind {
		case '+':
			line = b[o.b]
		default:
			line = a[o.a]
		}
		sb.WriteByte(o.kind)
		sb.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			sb.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// changedLines counts the added and deleted lines of a diff.
func changedLines(diff string) (added, deleted int) {
	for _, l := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		case strings.HasPrefix(l, "+"):
			added++
		case strings.HasPrefix(l, "-"):
			deleted++
		}
	}
	return added, deleted
}
