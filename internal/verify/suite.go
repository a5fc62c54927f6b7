package verify

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// suite runs the existing tests of every package the fix or the test
// touched. Tests named in ExpectFlip (they proved the bug) are left out
// and reported; a test that also fails on the unpatched tree is a
// pre-existing failure, reported but not held against the fix.
func (v *run) suite(ctx context.Context) (string, string) {
	files := v.changedFiles()
	var notes []string
	for _, m := range goModules(v.after, files) {
		st, d := v.goSuite(ctx, m)
		if st != StatusPass {
			return st, d
		}
		notes = append(notes, d)
	}
	if len(byExt(files, ".py")) > 0 {
		st, d := v.pySuite(ctx)
		if st != StatusPass {
			return st, d
		}
		notes = append(notes, d)
	}
	if len(notes) == 0 {
		if len(byExt(files, ".java")) > 0 {
			return StatusSkip, "no JVM test runner: the Java suite is not run"
		}
		return StatusSkip, "no test runner for the changed files"
	}
	return StatusPass, strings.Join(notes, "\n")
}

func (v *run) goSuite(ctx context.Context, m goModule) (string, string) {
	args := append([]string{"test", "-trimpath", "-count=1", "-json"}, v.in.TestFlags...)
	if len(v.in.ExpectFlip) > 0 {
		args = append(args, "-skip", testPattern(v.in.ExpectFlip...))
	}
	o, err := v.goRun(ctx, m.root, false, append(args, m.pkgs...)...)
	if err != nil {
		return StatusError, err.Error()
	}
	rep := parseTestJSON(o.Output)
	if o.TimedOut {
		return StatusFail, "go test timed out\n" + rep.looseOutput(detailLines)
	}
	failed := rep.failed()
	if len(failed) == 0 && o.ExitCode != 0 {
		return StatusFail, "go test " + joinList(m.pkgs) + " failed without a failing test\n" + rep.looseOutput(detailLines)
	}
	var notes []string
	if len(failed) > 0 {
		pre := v.preexisting(ctx, m, failed)
		var broken []string
		for _, f := range failed {
			if !slices.Contains(pre, f) {
				broken = append(broken, f)
			}
		}
		if len(broken) > 0 {
			return StatusFail, "tests that pass without the fix fail with it: " + joinList(broken) + "\n" + rep.testOutput(broken[0], detailLines)
		}
		notes = append(notes, "failing before the fix too (not held against it): "+joinList(pre))
	}
	if len(v.in.ExpectFlip) > 0 {
		notes = append(notes, v.flips(ctx, m))
	}
	head := fmt.Sprintf("%d tests pass in %s", rep.ran-len(failed), joinList(m.pkgs))
	return StatusPass, strings.Join(append([]string{head}, notes...), "\n")
}

// preexisting reruns failing tests on the unpatched tree and returns those
// that fail there too.
func (v *run) preexisting(ctx context.Context, m goModule, failed []string) []string {
	if v.ensureBefore() != nil {
		return nil
	}
	args := append([]string{"test", "-trimpath", "-count=1", "-json", "-run", testPattern(failed...)}, v.in.TestFlags...)
	o, err := v.goRun(ctx, v.inTree(v.before, m.root), false, append(args, m.pkgs...)...)
	if err != nil {
		return nil
	}
	rep := parseTestJSON(o.Output)
	var out []string
	for _, f := range failed {
		if rep.final[f] == "fail" {
			out = append(out, f)
		}
	}
	return out
}

// flips runs the bug-proving tests on the patched tree and says which
// flipped: they passed while the bug was there and should fail now.
func (v *run) flips(ctx context.Context, m goModule) string {
	// A test that proved a deadlock may wait forever for it once the bug
	// is gone: bound the run, and count a hang as a flip.
	args := append([]string{"test", "-trimpath", "-count=1", "-json", "-timeout", flipTimeout.String(), "-run", testPattern(v.in.ExpectFlip...)}, v.in.TestFlags...)
	o, err := v.goRun(ctx, m.root, false, append(args, m.pkgs...)...)
	if err != nil {
		return "expected flips not run: " + err.Error()
	}
	rep := parseTestJSON(o.Output)
	hung := strings.Contains(o.Output, "panic: test timed out")
	var flipped, held []string
	for _, name := range v.in.ExpectFlip {
		switch st := rep.final[name]; {
		case st == "fail", st != "pass" && hung:
			flipped = append(flipped, name)
		case st == "pass":
			held = append(held, name)
		}
	}
	note := "expected to flip (they proved the bug), left out of the suite: " + joinList(v.in.ExpectFlip)
	if len(flipped) > 0 {
		note += "; now failing as expected: " + joinList(flipped)
	}
	if len(held) > 0 {
		note += "; still passing: " + joinList(held)
	}
	return note
}

// flipTimeout bounds the run of the bug-proving tests on the patched tree.
const flipTimeout = 20 * time.Second

var pyFailure = regexp.MustCompile(`(?m)^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)`)

// pySuite runs unittest discovery from the import roots of the changed
// Python files; failures of tests in ExpectFlip are allowed.
func (v *run) pySuite(ctx context.Context) (string, string) {
	roots := pyRoots(v.after, byExt(v.changedFiles(), ".py"))
	what := "python3 -m unittest discover" + pyWhere(roots)
	o, ran, err := v.pyDiscover(ctx, v.after, roots)
	if err != nil {
		return StatusError, err.Error()
	}
	if o.TimedOut {
		return StatusFail, what + ": timed out\n" + clip(o.Output, detailLines)
	}
	if o.ExitCode == 0 || ran == 0 {
		return StatusPass, fmt.Sprintf("%s: %d tests pass", what, ran)
	}
	var broken, flipped []string
	for _, m := range pyFailure.FindAllStringSubmatch(o.Output, -1) {
		if slices.Contains(v.in.ExpectFlip, m[1]) || slices.Contains(v.in.ExpectFlip, m[2]) {
			flipped = append(flipped, m[1])
		} else {
			broken = append(broken, m[2])
		}
	}
	if len(broken) > 0 || len(flipped) == 0 {
		return StatusFail, what + " failed: " + joinList(broken) + "\n" + clip(o.Output, detailLines)
	}
	return StatusPass, fmt.Sprintf("%s: %d tests pass but for the expected flips (they proved the bug and now fail): %s", what, ran-len(flipped), joinList(flipped))
}
