package verify

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// apply copies the repository and applies the fix and the test strictly.
func (v *run) apply(ctx context.Context) (string, string) {
	var err error
	if v.patch, err = parseDiff(v.in.Candidate.Patch); err != nil {
		return StatusFail, "patch: " + err.Error()
	}
	if len(v.patch) == 0 {
		return StatusFail, ErrEmptyPatch.Error()
	}
	if v.test, err = parseDiff(v.in.Candidate.Test); err != nil {
		return StatusFail, "test: " + err.Error()
	}
	v.res.LinesChanged = changedLines(v.patch)
	if v.after, err = v.copyRepo(); err != nil {
		return StatusError, err.Error()
	}
	if err := applyDiff(v.after, v.patch); err != nil {
		return StatusFail, "patch: " + err.Error()
	}
	if err := applyDiff(v.after, v.test); err != nil {
		return StatusFail, "test: " + err.Error()
	}
	return StatusPass, fmt.Sprintf("fix: %s (%d lines changed); test: %s",
		joinList(diffFiles(v.patch)), v.res.LinesChanged, orNone(joinList(diffFiles(v.test))))
}

// locality checks that the fix stays inside the implicated functions and
// that the test diff only touches tests.
func (v *run) locality(ctx context.Context) (string, string) {
	for _, f := range v.test {
		if !isTestFile(fileName(f)) {
			return StatusFail, fmt.Sprintf("the test diff changes %s, which is not a test file (only tests are exempt from locality)", fileName(f))
		}
	}
	if len(v.slice) == 0 {
		return StatusSkip, "no implicated functions known (the report names none)"
	}
	loc, err := measureLocality(v.in.Repo, v.after, v.patch, v.slice)
	if err != nil {
		return StatusError, err.Error()
	}
	v.res.Locality = loc.share()
	if len(loc.unreadable) > 0 {
		return StatusSkip, "cannot read the declarations of " + joinList(loc.unreadable) + " (the build check says why)"
	}
	names := sliceNames(v.slice)
	if loc.share() < MinLocality {
		return StatusFail, fmt.Sprintf("%d of %d changed lines are outside the implicated functions (%s):\n%s",
			loc.outside, loc.inside+loc.outside, names, strings.Join(loc.outsideAt, "\n"))
	}
	return StatusPass, fmt.Sprintf("%d changed lines, all inside %s or new helpers beside them", loc.inside, names)
}

func sliceNames(slice []Location) string {
	var names []string
	for _, l := range slice {
		names = append(names, normaliseFunction(l.Function))
	}
	return joinList(names)
}

// isTestFile says whether a repository path is a test or test fixture.
func isTestFile(name string) bool {
	base := path.Base(name)
	switch {
	case strings.HasSuffix(base, "_test.go"):
		return true
	case strings.Contains("/"+name, "/testdata/"):
		return true
	case strings.HasSuffix(base, ".py"):
		return strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py") || base == "conftest.py" ||
			strings.Contains("/"+name, "/tests/") || strings.Contains("/"+name, "/test/")
	case strings.HasSuffix(base, ".java"):
		return strings.Contains("/"+name, "/src/test/") || strings.HasSuffix(base, "Test.java") || strings.HasSuffix(base, "Tests.java")
	}
	return false
}

// changedFiles lists the files the fix and the test leave behind
// (deleted files excluded), fix first.
func (v *run) changedFiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, fs := range [][]*gitdiff.File{v.patch, v.test} {
		for _, f := range fs {
			if !f.IsDelete && !seen[f.NewName] {
				seen[f.NewName] = true
				out = append(out, f.NewName)
			}
		}
	}
	return out
}

// detailLines bounds a check's detail.
const detailLines = 12

// clip keeps the last n non-empty lines of s, each at most 240 bytes.
func clip(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if len(l) > 240 {
			l = l[:240] + "…"
		}
		lines = append(lines, l)
	}
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[%d lines before]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func joinList(xs []string) string { return strings.Join(xs, ", ") }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
