package template

import (
	"fmt"
	"regexp"
	"strings"
)

var pySortShared = regexp.MustCompile(`^(\s*)(\w+(?:\.\w+)+)\.sort\((.*)\)$`)

// pyCopyBeforeSort is copy-before-sort for Python: the failing line sorts
// a shared list — an attribute, reached through a dot — in place. CPython
// empties a list while sorting it, so a thread appending meanwhile fails
// the sort with "list modified during sort" and readers see it empty or
// reordered. The line sorts a copy with sorted() into a local, and the
// rest of the function reads the local.
func pyCopyBeforeSort(pr *problem) []*fix {
	if !pr.kindIs("exception", "error", "race") {
		return nil
	}
	for _, s := range pr.sites {
		if s.Lang != "python" {
			continue
		}
		if fx := pyCopyBeforeSortAt(pr, s); fx != nil {
			return []*fix{fx}
		}
	}
	return nil
}

func pyCopyBeforeSortAt(pr *problem, s site) *fix {
	f, ok := pr.pyFuncAt(s)
	if !ok {
		return nil
	}
	code, _ := pyCode(f.lines[s.Line-1])
	m := pySortShared.FindStringSubmatch(code)
	if m == nil || !f.oneLine(s.Line) {
		return nil
	}
	indent, shared, args := m[1], m[2], strings.TrimSpace(m[3])
	body := f.lines[s.Line:f.end]
	use := regexp.MustCompile(regexp.QuoteMeta(shared) + `\b`)
	write := regexp.MustCompile(`(^|[^.\w])(del\s+)?` + regexp.QuoteMeta(shared) +
		`\s*(\[[^\]]*\]\s*)?([-+*/|&]?=[^=]|\.(append|extend|insert|remove|pop|clear|sort|reverse)\()`)
	for _, l := range body {
		if c, _ := pyCode(l); write.MatchString(c) || strings.Contains(c, "del "+shared) {
			return nil // the copy would not see a later write to the shared list
		}
	}
	local := pyFreeName(f, shared[strings.LastIndex(shared, ".")+1:])
	call := "sorted(" + shared
	if args != "" {
		call += ", " + args
	}
	lines := append([]string(nil), f.lines...)
	lines[s.Line-1] = indent + local + " = " + call + ")" + f.lines[s.Line-1][len(code):]
	uses := 0
	for i := s.Line; i < f.end; i++ {
		uses += len(use.FindAllStringIndex(lines[i], -1))
		lines[i] = use.ReplaceAllString(lines[i], local)
	}
	why := fmt.Sprintf("copy-before-sort: %s sorts %s in place, a list every caller shares; CPython empties a list while sorting it, "+
		"so another thread's append makes the sort fail (the traceback's %s at %s:%d) and readers meanwhile see it empty. "+
		"Sorting a copy with sorted() leaves the shared list as it was; the %d use(s) after the sort read the copy and the result is "+
		"the same. Only %s changes.", f.name, shared, pr.errorType(), s.File, s.Line, uses, f.name)
	return &fix{template: "copy-before-sort", site: s, why: why,
		files: map[string][2]string{s.File: {strings.Join(f.lines, "\n"), strings.Join(lines, "\n")}}}
}

// pyFreeName returns base, or base with a suffix, unused as a word in
// the function.
func pyFreeName(f *pyFunc, base string) string {
	text := strings.Join(f.lines[f.def-1:f.end], "\n")
	for _, n := range []string{base, base + "_sorted", "sorted_" + base} {
		if !regexp.MustCompile(`(^|[^.\w])` + regexp.QuoteMeta(n) + `\b`).MatchString(text) {
			return n
		}
	}
	return "sorted_copy"
}

// errorType is the first line of the failure as the report words it.
func (pr *problem) errorType() string {
	if t := pr.req.Report.Title; t != "" {
		return t
	}
	return "error"
}
