package llm

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// ErrBadPatch is wrapped by every rejection of a model's diff; the
// message says why, and goes back to the model.
var ErrBadPatch = errors.New("patch rejected")

// fileDiff is one file's part of a diff as the lenient reader saw it.
type fileDiff struct {
	old, new string // repository-relative; "" for /dev/null
	hunks    []*hunk
}

// hunk is one @@ section: positions from its header and its body lines,
// each with its op character.
type hunk struct {
	oldStart, oldLines int
	newStart, newLines int
	lines              []string
}

func (f *fileDiff) name() string {
	if f.new != "" {
		return f.new
	}
	return f.old
}

// checked is a diff that parsed strictly and applies exactly.
type checked struct {
	files []*fileDiff
	// notes are the repairs made, for the candidate's Why.
	notes []string
}

func rejectf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadPatch, fmt.Sprintf(format, args...))
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// readDiff reads a unified diff leniently into files and hunks, noting the
// repairs it makes: missing a/ b/ prefixes, blank context lines that lost
// their leading space. Anything it cannot read unambiguously is rejected.
func readDiff(text string, notes *[]string) ([]*fileDiff, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var files []*fileDiff
	var cur *fileDiff
	prefixNoted := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "):
			old, okOld := diffPath(l[4:], "a/")
			nw, okNew := diffPath(lines[i+1][4:], "b/")
			if (!okOld || !okNew) && !prefixNoted {
				*notes = append(*notes, "added missing a/ b/ path prefixes")
				prefixNoted = true
			}
			cur = &fileDiff{old: old, new: nw}
			files = append(files, cur)
			i++
		case strings.HasPrefix(l, "@@"):
			if cur == nil {
				return nil, rejectf("line %d: hunk without a --- / +++ file header", i+1)
			}
			h, next, err := readHunk(lines, i, notes)
			if err != nil {
				return nil, err
			}
			cur.hunks = append(cur.hunks, h)
			i = next - 1
		case cur == nil || isGitHeader(l) || strings.TrimSpace(l) == "":
			// preamble, git extended headers, separators
		default:
			return nil, rejectf("line %d: %q is not part of a unified diff", i+1, shorten(l, 80))
		}
	}
	if len(files) == 0 {
		return nil, rejectf("no file header (--- a/path, +++ b/path) found")
	}
	for _, f := range files {
		if len(f.hunks) == 0 {
			return nil, rejectf("%s: no hunks", f.name())
		}
	}
	return files, nil
}

func isGitHeader(l string) bool {
	for _, p := range []string{"diff --git ", "index ", "new file mode ", "deleted file mode ", "old mode ", "new mode ", "similarity index ", "Binary files "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// diffPath reads a --- or +++ path, dropping a timestamp and the
// expected prefix; ok is false when the prefix was missing.
func diffPath(s, prefix string) (string, bool) {
	if i := strings.IndexByte(s, '\t'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if len(s) > 1 && s[0] == '"' && s[len(s)-1] == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			s = u
		}
	}
	if s == "/dev/null" {
		return "", true
	}
	if strings.HasPrefix(s, prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// readHunk reads the hunk whose header is lines[at] and returns it with
// the index of the first line after it. The body runs to the next header;
// counts in the header are recomputed from the body when they disagree,
// and trailing blank lines the counts do not cover are separators.
func readHunk(lines []string, at int, notes *[]string) (*hunk, int, error) {
	m := hunkHeader.FindStringSubmatch(lines[at])
	if m == nil {
		return nil, 0, rejectf("line %d: unreadable hunk header %q", at+1, shorten(lines[at], 80))
	}
	h := &hunk{oldStart: atoi(m[1]), oldLines: countOr1(m[2]), newStart: atoi(m[3]), newLines: countOr1(m[4])}
	j := at + 1
	for ; j < len(lines); j++ {
		l := lines[j]
		if strings.HasPrefix(l, "@@") || strings.HasPrefix(l, "diff --git ") ||
			strings.HasPrefix(l, "--- ") && j+1 < len(lines) && strings.HasPrefix(lines[j+1], "+++ ") {
			break
		}
		if l == "" {
			l = " "
		}
		switch l[0] {
		case ' ', '+', '-', '\\':
			h.lines = append(h.lines, l)
		default:
			return nil, 0, rejectf("line %d: %q in a hunk body does not start with ' ', '+' or '-'", j+1, shorten(l, 80))
		}
	}
	old, nw := h.count()
	for old > h.oldLines && nw > h.newLines && len(h.lines) > 0 && lines[at+len(h.lines)] == "" {
		h.lines = h.lines[:len(h.lines)-1] // a separator, not a lost-space blank line
		old, nw = h.count()
	}
	for len(h.lines) > 0 && h.lines[len(h.lines)-1] == " " && lines[at+len(h.lines)] == "" && (old != h.oldLines || nw != h.newLines) {
		h.lines = h.lines[:len(h.lines)-1]
		old, nw = h.count()
	}
	if old != h.oldLines || nw != h.newLines {
		*notes = append(*notes, fmt.Sprintf("recomputed the counts of hunk %q from its body (-%d,+%d)", strings.TrimSpace(m[0]), old, nw))
		h.oldLines, h.newLines = old, nw
	}
	if !h.changes() {
		return nil, 0, rejectf("line %d: hunk has no + or - lines", at+1)
	}
	return h, j, nil
}

func (h *hunk) count() (old, nw int) {
	for _, l := range h.lines {
		switch l[0] {
		case ' ':
			old++
			nw++
		case '-':
			old++
		case '+':
			nw++
		}
	}
	return old, nw
}

func (h *hunk) changes() bool {
	for _, l := range h.lines {
		if l[0] == '+' || l[0] == '-' {
			return true
		}
	}
	return false
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func countOr1(s string) int {
	if s == "" {
		return 1
	}
	return atoi(s)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkDiff reads text, confines and repairs it against the repository's
// files, renders it canonically and has go-gitdiff parse and apply it
// strictly. Nothing is written.
func checkDiff(text string, r *repo) (*checked, error) {
	c := &checked{}
	files, err := readDiff(text, &c.notes)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		if err := c.fixFile(f, r, seen); err != nil {
			return nil, err
		}
	}
	c.files = files
	return c, c.strict(r)
}

func (c *checked) fixFile(f *fileDiff, r *repo, seen map[string]bool) error {
	switch {
	case f.old == "" && f.new == "":
		return rejectf("a file diff with /dev/null on both sides")
	case f.old != "" && f.new != "" && f.old != f.new:
		return rejectf("%s → %s: renames are not accepted; change the file in place", f.old, f.new)
	}
	name := f.name()
	rel, _, err := r.resolve(name)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadPatch, err)
	}
	if seen[rel] {
		return rejectf("%s appears twice; put all its hunks under one file header", rel)
	}
	seen[rel] = true
	if f.old != "" {
		f.old = rel
	}
	if f.new != "" {
		f.new = rel
	}
	if f.old == "" {
		if _, _, err := r.read(rel); err == nil {
			return rejectf("%s already exists; diff against it instead of creating it (--- /dev/null)", rel)
		}
		return nil
	}
	_, content, err := r.read(rel)
	if err != nil {
		return rejectf("%s: %v", rel, err)
	}
	return c.place(f, splitLines(content))
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// place checks each hunk's old lines against the file. A hunk whose
// context or deleted lines lost trailing white space gets it back from the
// file; a hunk at the wrong line moves only when its old lines occur
// exactly once in the file. New positions are then recomputed.
func (c *checked) place(f *fileDiff, file []string) error {
	restored := false
	for i, h := range f.hunks {
		old := h.oldText()
		if len(old) == 0 {
			if h.oldStart > len(file) {
				return rejectf("%s: hunk %d inserts after line %d, but the file has %d lines", f.name(), i+1, h.oldStart, len(file))
			}
			continue
		}
		at := h.oldStart - 1
		if matchAt(file, old, at, false) {
			continue
		}
		if matchAt(file, old, at, true) {
			h.restore(file, at)
			restored = true
			continue
		}
		found := findAll(file, old)
		if len(found) != 1 {
			return c.mismatch(f.name(), i, h, file, len(found))
		}
		c.notes = append(c.notes, fmt.Sprintf("%s: moved hunk %d from line %d to line %d, the one place its old lines occur", f.name(), i+1, h.oldStart, found[0]+1))
		h.restore(file, found[0])
		restored = restored || !matchAt(file, old, found[0], false)
		h.oldStart = found[0] + 1
	}
	if restored {
		c.notes = append(c.notes, f.name()+": restored trailing white space the diff lost on context lines")
	}
	sort.SliceStable(f.hunks, func(i, j int) bool { return f.hunks[i].oldStart < f.hunks[j].oldStart })
	delta := 0
	for i, h := range f.hunks {
		if i > 0 {
			p := f.hunks[i-1]
			if h.oldStart < p.oldStart+p.oldLines {
				return rejectf("%s: hunks %d and %d overlap", f.name(), i, i+1)
			}
		}
		h.newStart = h.oldStart + delta
		if h.oldLines == 0 {
			h.newStart++
		}
		delta += h.newLines - h.oldLines
	}
	return nil
}

// mismatch explains why a hunk does not apply: the first line that
// differs at its stated position.
func (c *checked) mismatch(name string, i int, h *hunk, file []string, places int) error {
	where := ""
	old := h.oldText()
	at := h.oldStart - 1
	for k, want := range old {
		got := "(end of file)"
		if at+k >= 0 && at+k < len(file) {
			got = file[at+k]
			if got == want {
				continue
			}
		}
		where = fmt.Sprintf("; at line %d the diff expects %q but the file has %q", at+k+1, shorten(want, 100), shorten(got, 100))
		break
	}
	many := "nowhere else in the file"
	if places > 1 {
		many = fmt.Sprintf("in %d places, so the position is ambiguous", places)
	}
	return rejectf("%s: hunk %d (@@ -%d,%d) does not match the file%s; its old lines occur %s. Copy context lines exactly from fetch_code output",
		name, i+1, h.oldStart, h.oldLines, where, many)
}

// oldText is the hunk's context and deleted lines, without op characters.
func (h *hunk) oldText() []string {
	var out []string
	for _, l := range h.lines {
		if l[0] == ' ' || l[0] == '-' {
			out = append(out, l[1:])
		}
	}
	return out
}

// restore copies the file's lines over the hunk's old lines at file
// position at; they are equal up to trailing white space.
func (h *hunk) restore(file []string, at int) {
	k := 0
	for i, l := range h.lines {
		if l[0] == ' ' || l[0] == '-' {
			h.lines[i] = l[:1] + file[at+k]
			k++
		}
	}
}

func matchAt(file, old []string, at int, loose bool) bool {
	if at < 0 || at+len(old) > len(file) {
		return false
	}
	for k, w := range old {
		g := file[at+k]
		if loose {
			g, w = strings.TrimRight(g, " \t"), strings.TrimRight(w, " \t")
		}
		if g != w {
			return false
		}
	}
	return true
}

// findAll lists the positions where old occurs, equal up to trailing
// white space.
func findAll(file, old []string) []int {
	var out []int
	for at := 0; at+len(old) <= len(file); at++ {
		if matchAt(file, old, at, true) {
			out = append(out, at)
		}
	}
	return out
}

// render writes the files as a git-style unified diff.
func render(files []*fileDiff) string {
	var b strings.Builder
	for _, f := range files {
		n := f.name()
		fmt.Fprintf(&b, "diff --git a/%s b/%s\n", n, n)
		oldName, newName := "a/"+n, "b/"+n
		switch {
		case f.old == "":
			b.WriteString("new file mode 100644\n")
			oldName = "/dev/null"
		case f.new == "":
			b.WriteString("deleted file mode 100644\n")
			newName = "/dev/null"
		}
		fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
		for _, h := range f.hunks {
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", h.oldStart, h.oldLines, h.newStart, h.newLines)
			for _, l := range h.lines {
				b.WriteString(l)
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

// strict parses the canonical rendering with go-gitdiff and applies each
// file to its content in memory; any error rejects the diff.
func (c *checked) strict(r *repo) error {
	parsed, _, err := gitdiff.Parse(strings.NewReader(render(c.files)))
	if err != nil {
		return rejectf("%v", err)
	}
	if len(parsed) != len(c.files) {
		return rejectf("%d file diffs parsed, %d expected", len(parsed), len(c.files))
	}
	for _, pf := range parsed {
		var src []byte
		if !pf.IsNew {
			_, b, err := r.read(pf.OldName)
			if err != nil {
				return rejectf("%s: %v", pf.OldName, err)
			}
			src = b
		}
		var out bytes.Buffer
		if err := gitdiff.Apply(&out, bytes.NewReader(src), pf); err != nil {
			return rejectf("%s does not apply: %v", pf.NewName+pf.OldName, err)
		}
	}
	return nil
}

// applied returns the files' contents after the diff, by path ("" for a
// deleted file); strict has already shown that it applies.
func (c *checked) applied(r *repo) (map[string][]byte, error) {
	parsed, _, err := gitdiff.Parse(strings.NewReader(render(c.files)))
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, pf := range parsed {
		var src []byte
		if !pf.IsNew {
			if _, src, err = r.read(pf.OldName); err != nil {
				return nil, err
			}
		}
		var buf bytes.Buffer
		if err := gitdiff.Apply(&buf, bytes.NewReader(src), pf); err != nil {
			return nil, err
		}
		if pf.IsDelete {
			out[pf.OldName] = nil
		} else {
			out[pf.NewName] = buf.Bytes()
		}
	}
	return out, nil
}
