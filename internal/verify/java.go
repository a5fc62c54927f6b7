package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

var javaMain = regexp.MustCompile(`\bstatic\s+void\s+main\s*\(`)

// javaRegression runs a regression test that is a Java main class (what
// the template proposer writes; a JUnit test needs its build tool):
// compiled with the sources it uses, it must fail — exit non-zero or hang
// past the step limit — on the unpatched tree and exit 0 on the patched
// one. name is the class to run, qualified by its package.
func (v *run) javaRegression(ctx context.Context, files []string, name string) (string, string) {
	if b := javaBuildFile(v.after); b != "" {
		return StatusSkip, "no JVM test runner for a " + b + " project: " + name + " is not run"
	}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(v.after, filepath.FromSlash(f)))
		if err != nil {
			return StatusError, err.Error()
		}
		if !javaMain.Match(src) {
			return StatusSkip, f + " has no main method and there is no JVM test runner: " + name + " is not run"
		}
	}
	red, detail := v.javaRun(ctx, v.before, "before", files, name)
	switch red {
	case StatusError:
		return StatusError, detail
	case StatusPass:
		return StatusFail, name + " passes without the fix: it does not capture the failure"
	}
	if green, d := v.javaRun(ctx, v.after, "after", files, name); green != StatusPass {
		if green == StatusError {
			return StatusError, d
		}
		return StatusFail, name + " does not pass with the fix\n" + d
	}
	v.proved = append(v.proved, "regression test "+name)
	return StatusPass, fmt.Sprintf("%s %s without the fix, passes with it", name, firstLine(detail))
}

// javaRun compiles and runs the test's main class in tree. It says pass
// when the class exits 0, fail (with how) when it does not, and error
// when it cannot be compiled or run at all.
func (v *run) javaRun(ctx context.Context, tree, label string, files []string, name string) (string, string) {
	out := filepath.Join(v.work, "javac-"+label)
	if st, d := v.javacInto(ctx, tree, out, files); st != StatusPass {
		return StatusError, name + " does not compile " + label + " the fix: " + d
	}
	o, err := v.runner.Run(ctx, Cmd{Dir: tree, Args: []string{"java", "-cp", out, name}, Timeout: v.lim.Step, Memory: v.lim.Memory})
	switch {
	case err != nil:
		return StatusError, err.Error()
	case o.TimedOut:
		return StatusFail, "hangs"
	case o.ExitCode != 0:
		return StatusFail, fmt.Sprintf("fails (exit %d)\n%s", o.ExitCode, clip(o.Output, detailLines))
	}
	return StatusPass, ""
}
