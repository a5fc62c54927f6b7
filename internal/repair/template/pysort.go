package template

import (
	"fmt"
	"strings"
)

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

// pyCopyBeforeSortAt takes the sort that is the failing statement.
func pyCopyBeforeSortAt(pr *problem, s site) *fix {
	f, ok := pr.pyFuncAt(s)
	if !ok {
		return nil
	}
	for _, c := range syntax.pySorts(f.src) {
		if c.stmt && strings.Contains(c.chain, ".") && lineOf(f.src, c.start) <= s.Line && s.Line <= lineOf(f.src, c.end-1) {
			return pyCopyBeforeSortFix(pr, s, f, c)
		}
	}
	return nil
}

// pyMutators are the list methods that change a list in place.
var pyMutators = map[string]bool{"append": true, "extend": true, "insert": true, "remove": true, "pop": true,
	"clear": true, "sort": true, "reverse": true}

// pyCopyBeforeSortFix sorts into a local and points the rest of the def
// at it, unless the def writes the shared list after the sort: the copy
// would not see that write.
func pyCopyBeforeSortFix(pr *problem, s site, f *pyFunc, c pySort) *fix {
	_, fnEnd := lineSpan(f.src, f.end, f.end)
	uses := syntax.pyRefs(f.src, c.chain, c.end, fnEnd)
	for _, r := range uses {
		if r.write || pyMutators[r.method] {
			return nil
		}
	}
	local := pyFreeName(f, c.chain[strings.LastIndex(c.chain, ".")+1:])
	call := "sorted(" + c.chain
	if args := strings.TrimSpace(c.args); args != "" {
		call += ", " + args
	}
	out := f.src
	for i := len(uses) - 1; i >= 0; i-- { // from the end, so earlier offsets hold
		out = out[:uses[i].start] + local + out[uses[i].end:]
	}
	out = out[:c.start] + local + " = " + call + ")" + out[c.end:]
	why := fmt.Sprintf("copy-before-sort: %s sorts %s in place, a list every caller shares; CPython empties a list while sorting it, "+
		"so another thread's append makes the sort fail (the traceback's %s at %s:%d) and readers meanwhile see it empty. "+
		"Sorting a copy with sorted() leaves the shared list as it was; the %d use(s) after the sort read the copy and the result is "+
		"the same. Only %s changes.", f.name, c.chain, pr.errorType(), s.File, s.Line, len(uses), f.name)
	return &fix{template: "copy-before-sort", site: s, why: why, files: map[string][2]string{s.File: {f.src, out}}}
}

// pyFreeName returns base, or base with a suffix, that no variable in
// the def is named (attributes and keyword argument names do not count:
// they cannot be shadowed by a local).
func pyFreeName(f *pyFunc, base string) string {
	start, end := lineSpan(f.src, f.def, f.end)
	for _, n := range []string{base, base + "_sorted", "sorted_" + base} {
		if len(syntax.pyRefs(f.src, n, start, end)) == 0 {
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
