package verify

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// pyRoots are the directories unittest discovery must start from for
// files of the tree: for each file, the nearest ancestor that is not a
// package (holds no __init__.py). That is where Python resolves the
// file's imports from, so a script directory like examples/pyworker —
// `import worker` beside its tests — is its own root, and a repository of
// packages is rooted at the top as discovery from "." assumes.
func pyRoots(tree string, files []string) []string {
	var roots []string
	for _, f := range files {
		dir := path.Dir(filepath.ToSlash(f))
		for dir != "." {
			if _, err := os.Stat(filepath.Join(tree, filepath.FromSlash(dir), "__init__.py")); err != nil {
				break
			}
			dir = path.Dir(dir)
		}
		roots = append(roots, dir)
	}
	slices.Sort(roots)
	return slices.Compact(roots)
}

var pyRan = regexp.MustCompile(`(?m)^Ran (\d+) tests?\b`)

// pyDiscover runs `python3 -m unittest discover` with extra arguments
// from each root of tree and joins the runs: the output of each, the
// first failing exit code, and how many tests ran in all.
func (v *run) pyDiscover(ctx context.Context, tree string, roots []string, extra ...string) (Outcome, int, error) {
	var joined Outcome
	ran := 0
	var outs []string
	for _, r := range roots {
		argv := append([]string{"python3", "-m", "unittest", "discover"}, extra...)
		o, err := v.runner.Run(ctx, Cmd{Dir: filepath.Join(tree, filepath.FromSlash(r)), Args: argv, Timeout: v.lim.Step, Memory: v.lim.Memory})
		if err != nil {
			return Outcome{}, 0, err
		}
		for _, m := range pyRan.FindAllStringSubmatch(o.Output, -1) {
			n, _ := strconv.Atoi(m[1])
			ran += n
		}
		if len(roots) > 1 {
			o.Output = "== " + r + "\n" + o.Output
		}
		outs = append(outs, o.Output)
		if joined.ExitCode == 0 {
			joined.ExitCode = o.ExitCode
		}
		joined.TimedOut = joined.TimedOut || o.TimedOut
	}
	joined.Output = strings.Join(outs, "\n")
	return joined, ran, nil
}

// pyWhere names the roots discovery ran from, for check details.
func pyWhere(roots []string) string {
	if len(roots) == 1 && roots[0] == "." {
		return ""
	}
	return " in " + joinList(roots)
}
