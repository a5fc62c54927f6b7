package llm

import (
	"path"
	"regexp"
	"strings"

	"github.com/tagdebug/tag/internal/repair"
)

// proposal is a model's answer before checking: one or more diffs and
// what the model said about them.
type proposal struct {
	diffs    []string
	testName string
	why      string
}

// candidate checks a proposal and splits it into the fix and its
// regression test. The error, wrapping ErrBadPatch, says what to correct.
func (p proposal) candidate(r *repo, model string) (*repair.Candidate, error) {
	var all []*fileDiff
	var notes []string
	for _, d := range p.diffs {
		if strings.TrimSpace(d) == "" {
			continue
		}
		c, err := checkDiff(d, r)
		if err != nil {
			return nil, err
		}
		all = append(all, c.files...)
		notes = append(notes, c.notes...)
	}
	if len(all) == 0 {
		return nil, rejectf("no unified diff found: reply with a ```diff block for the fix and one for the test, or call propose_patch")
	}
	// Checked together, so a file split across the two diffs is caught.
	c, err := checkDiff(render(all), r)
	if err != nil {
		return nil, err
	}
	var fix, test []*fileDiff
	for _, f := range c.files {
		if isTestFile(f.name()) {
			test = append(test, f)
		} else {
			fix = append(fix, f)
		}
	}
	if len(fix) == 0 {
		return nil, rejectf("the diff changes only test files; the fix itself is missing")
	}
	if len(test) == 0 {
		return nil, rejectf("no regression test: add a diff for a test file (for Go, a _test.go file in the package) with a test that fails before the fix and passes after it")
	}
	cand := &repair.Candidate{
		Patch:    render(fix),
		Test:     render(test),
		Proposer: "llm",
		Template: model,
		Why:      p.why,
	}
	for _, f := range fix {
		cand.Files = append(cand.Files, f.name())
	}
	cand.TestName = testName(test, p.testName)
	if len(notes) > 0 {
		cand.Why = strings.TrimSpace(cand.Why + "\n(TAG repaired the diff: " + strings.Join(dedupe(notes), "; ") + ")")
	}
	return cand, nil
}

// isTestFile tells test files from code by the conventions of the
// languages TAG reads.
func isTestFile(p string) bool {
	base := path.Base(p)
	switch {
	case strings.HasSuffix(base, "_test.go"),
		strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py"),
		strings.HasSuffix(base, "_test.py"),
		strings.HasSuffix(base, "Test.java"), strings.HasSuffix(base, "Tests.java"),
		strings.Contains(base, ".test."), strings.Contains(base, ".spec."):
		return true
	}
	return strings.HasPrefix(p, "src/test/") || strings.Contains(p, "/src/test/")
}

var testFuncs = []*regexp.Regexp{
	regexp.MustCompile(`^func (Test\w+)\(`),
	regexp.MustCompile(`^\s*def (test_\w+)\(`),
	regexp.MustCompile(`^\s*(?:public\s+)?void (test\w*|\w+Test)\(`),
}

// testName is the named test if the test diff adds it, else the first
// test function the diff adds.
func testName(test []*fileDiff, named string) string {
	var found []string
	for _, f := range test {
		for _, h := range f.hunks {
			for _, l := range h.lines {
				if l[0] != '+' {
					continue
				}
				for _, re := range testFuncs {
					if m := re.FindStringSubmatch(l[1:]); m != nil {
						found = append(found, m[1])
					}
				}
			}
		}
	}
	for _, f := range found {
		if f == named {
			return f
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
