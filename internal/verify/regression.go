package verify

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
)

// regression runs the candidate's test twice: on the unpatched tree with
// only the test added it must fail (red), on the patched tree it must
// pass (green). Concurrency kinds run it under -race, where a race fails
// the test.
func (v *run) regression(ctx context.Context) (string, string) {
	c := v.in.Candidate
	if len(v.test) == 0 {
		return StatusSkip, "no regression test proposed"
	}
	if c.TestName == "" {
		return StatusFail, "the test diff names no test (TestName is empty)"
	}
	if err := v.ensureBefore(); err != nil {
		return StatusError, err.Error()
	}
	if err := applyDiff(v.before, v.test); err != nil {
		return StatusFail, "the test does not apply to the unpatched tree: " + err.Error()
	}
	files := diffFiles(v.test)
	if mods := goModules(v.after, files); len(mods) > 0 {
		return v.goRegression(ctx, mods, c.TestName)
	}
	if len(byExt(files, ".py")) > 0 {
		return v.pyRegression(ctx, c.TestName)
	}
	if java := byExt(files, ".java"); len(java) > 0 {
		return v.javaRegression(ctx, java, c.TestName)
	}
	return StatusSkip, "no test runner for " + joinList(files)
}

func (v *run) goRegression(ctx context.Context, mods []goModule, name string) (string, string) {
	race := ConcurrencyKinds[v.kind]
	args := []string{"test", "-trimpath", "-count=1", "-json", "-run", testPattern(name)}
	if race {
		args = append(args, "-race")
	}
	args = append(args, v.in.TestFlags...)
	var notes []string
	for _, m := range mods {
		margs := append(append([]string{}, args...), m.pkgs...)
		o, err := v.goRun(ctx, v.inTree(v.before, m.root), race, margs...)
		if err != nil {
			return StatusError, err.Error()
		}
		red := parseTestJSON(o.Output)
		switch got := red.final[name]; {
		case got == "fail":
			notes = append(notes, "fails without the fix")
		case got == "" && strings.Contains(o.Output, "WARNING: DATA RACE"):
			notes = append(notes, "races without the fix")
		case got == "" && o.ExitCode != 0 && len(red.loose) > 0:
			notes = append(notes, "does not build without the fix")
		case got == "pass":
			return StatusFail, name + " passes without the fix: it does not capture the failure"
		default:
			return StatusFail, fmt.Sprintf("%s did not run on the unpatched tree (%s)\n%s", name, orNone(got), red.looseOutput(detailLines))
		}
		o, err = v.goRun(ctx, m.root, race, margs...)
		if err != nil {
			return StatusError, err.Error()
		}
		green := parseTestJSON(o.Output)
		if got := green.final[name]; got != "pass" {
			return StatusFail, fmt.Sprintf("%s does not pass with the fix (%s)\n%s%s", name, orNone(got),
				green.testOutput(name, detailLines), green.looseOutput(detailLines))
		}
	}
	v.proved = append(v.proved, "regression test "+name)
	mode := ""
	if race {
		mode = " (under -race)"
	}
	return StatusPass, fmt.Sprintf("%s %s, passes with it%s", name, joinList(dedupe(notes)), mode)
}

// pyRegression runs unittest discovery, filtered to the test's name, from
// the import root of the test file.
func (v *run) pyRegression(ctx context.Context, name string) (string, string) {
	roots := pyRoots(v.after, byExt(diffFiles(v.test), ".py"))
	o, ran, err := v.pyDiscover(ctx, v.before, roots, "-k", name)
	if err != nil {
		return StatusError, err.Error()
	}
	if ran == 0 {
		return StatusFail, name + " did not run on the unpatched tree" + pyWhere(roots) + "\n" + clip(o.Output, detailLines)
	}
	if o.ExitCode == 0 {
		return StatusFail, name + " passes without the fix: it does not capture the failure"
	}
	o, ran, err = v.pyDiscover(ctx, v.after, roots, "-k", name)
	if err != nil {
		return StatusError, err.Error()
	}
	if o.ExitCode != 0 || ran == 0 {
		return StatusFail, name + " does not pass with the fix\n" + clip(o.Output, detailLines)
	}
	v.proved = append(v.proved, "regression test "+name)
	return StatusPass, name + " fails without the fix, passes with it"
}

// inTree maps a directory of the patched tree to the same place in tree.
func (v *run) inTree(tree, dir string) string {
	rel, err := filepath.Rel(v.after, dir)
	if err != nil {
		return tree
	}
	return filepath.Join(tree, rel)
}
