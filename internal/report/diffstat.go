package report

import (
	"regexp"
	"strconv"
	"strings"
)

// diffLine is one added or removed line of a unified diff.
type diffLine struct {
	file  string
	added bool
	text  string
}

// diffStat is what the risk assessment needs from a unified diff.
type diffStat struct {
	files   []string
	added   int
	removed int
	lines   []diffLine
}

var hunkHeader = regexp.MustCompile(`^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@`)

// parseDiff reads a git-style unified diff. Hunk headers give the line
// counts, so a removed line that itself starts with "-- " is not taken
// for a file header.
func parseDiff(d string) diffStat {
	var st diffStat
	seen := map[string]bool{}
	addFile := func(f string) {
		if f != "" && f != "/dev/null" && !seen[f] {
			seen[f] = true
			st.files = append(st.files, f)
		}
	}
	var file string
	oldLeft, newLeft := 0, 0
	for _, l := range strings.Split(d, "\n") {
		if oldLeft > 0 || newLeft > 0 {
			switch {
			case strings.HasPrefix(l, "+"):
				newLeft--
				st.added++
				st.lines = append(st.lines, diffLine{file, true, l[1:]})
			case strings.HasPrefix(l, "-"):
				oldLeft--
				st.removed++
				st.lines = append(st.lines, diffLine{file, false, l[1:]})
			case strings.HasPrefix(l, `\`):
			default:
				oldLeft--
				newLeft--
			}
			continue
		}
		switch {
		case strings.HasPrefix(l, "diff --git "):
			if i := strings.LastIndex(l, " b/"); i >= 0 {
				file = l[i+3:]
				addFile(file)
			}
		case strings.HasPrefix(l, "+++ "):
			if f := stripPrefix(l[4:]); f != "/dev/null" {
				file = f
				addFile(file)
			}
		case strings.HasPrefix(l, "--- "):
			if f := stripPrefix(l[4:]); f != "/dev/null" && file == "" {
				file = f
			}
		case strings.HasPrefix(l, "@@"):
			m := hunkHeader.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			oldLeft, newLeft = hunkCount(m[1]), hunkCount(m[2])
		}
	}
	return st
}

func hunkCount(s string) int {
	if s == "" {
		return 1
	}
	n, _ := strconv.Atoi(s)
	return n
}

func stripPrefix(p string) string {
	p = strings.TrimSpace(strings.SplitN(p, "\t", 2)[0])
	if strings.HasPrefix(p, "a/") || strings.HasPrefix(p, "b/") {
		return p[2:]
	}
	return p
}
