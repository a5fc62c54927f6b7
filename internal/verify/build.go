package verify

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// build compiles what the patch touched: go build ./... and go vet of the
// changed packages for Go; py_compile for Python; javac for Java.
func (v *run) build(ctx context.Context) (string, string) {
	files := v.changedFiles()
	var notes []string
	for _, m := range goModules(v.after, files) {
		// -trimpath keeps the build cache shared with earlier trees.
		if st, d := v.goStep(ctx, m.root, "go build", "build", "-trimpath", "./..."); st != StatusPass {
			return st, d
		}
		args := append([]string{"vet", "-trimpath"}, m.pkgs...)
		if st, d := v.goStep(ctx, m.root, "go vet", args...); st != StatusPass {
			return st, d
		}
		notes = append(notes, fmt.Sprintf("go build ./... and go vet %s in %s", joinList(m.pkgs), v.relTree(v.after, m.root)))
	}
	if py := byExt(files, ".py"); len(py) > 0 {
		st, d := v.command(ctx, v.after, "python3 -m py_compile", append([]string{"python3", "-m", "py_compile"}, py...)...)
		if st != StatusPass {
			return st, d
		}
		notes = append(notes, "py_compile "+joinList(py))
	}
	if java := byExt(files, ".java"); len(java) > 0 {
		st, d := v.javac(ctx, java)
		if st != StatusPass {
			return st, d
		}
		notes = append(notes, d)
	}
	if len(notes) == 0 {
		return StatusSkip, "no Go, Python or Java file changed"
	}
	return StatusPass, strings.Join(notes, "\n")
}

// goStep runs one go command and turns a failure into a check detail.
func (v *run) goStep(ctx context.Context, dir, what string, args ...string) (string, string) {
	o, err := v.goRun(ctx, dir, false, args...)
	return outcomeStatus(what, o, err)
}

// command runs argv in dir under the step limits.
func (v *run) command(ctx context.Context, dir, what string, argv ...string) (string, string) {
	o, err := v.runner.Run(ctx, Cmd{Dir: dir, Args: argv, Timeout: v.lim.Step, Memory: v.lim.Memory})
	return outcomeStatus(what, o, err)
}

func outcomeStatus(what string, o Outcome, err error) (string, string) {
	switch {
	case err != nil:
		return StatusError, err.Error()
	case o.TimedOut:
		return StatusFail, what + ": timed out\n" + clip(o.Output, detailLines)
	case o.ExitCode != 0:
		return StatusFail, what + ": exit " + fmt.Sprint(o.ExitCode) + "\n" + clip(o.Output, detailLines)
	}
	return StatusPass, ""
}

var javaPackage = regexp.MustCompile(`(?m)^\s*package\s+([\w.]+)\s*;`)

// javac compiles the changed Java files against their source roots. A
// Maven or Gradle project's dependencies cannot be resolved offline, so
// there only a syntax-level pass is possible and the check says so.
func (v *run) javac(ctx context.Context, files []string) (string, string) {
	if b := javaBuildFile(v.after); b != "" {
		return StatusPass, "javac not run: " + b + " project (dependencies not resolvable offline)"
	}
	st, d := v.javacInto(ctx, v.after, filepath.Join(v.work, "javac"), files)
	if st != StatusPass {
		return st, d
	}
	return StatusPass, "javac " + joinList(files)
}

// javaBuildFile names the tree's Maven or Gradle build file, if any.
func javaBuildFile(tree string) string {
	for _, b := range []string{"pom.xml", "build.gradle", "build.gradle.kts"} {
		if _, err := os.Stat(filepath.Join(tree, b)); err == nil {
			return b
		}
	}
	return ""
}

// javacInto compiles files of tree, and the sources they use from their
// source roots, into out.
func (v *run) javacInto(ctx context.Context, tree, out string, files []string) (string, string) {
	roots := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(tree, filepath.FromSlash(f)))
		if err != nil {
			return StatusError, err.Error()
		}
		root := path.Dir(f)
		if m := javaPackage.FindSubmatch(src); m != nil {
			root = strings.TrimSuffix(root, strings.ReplaceAll(string(m[1]), ".", "/"))
		}
		roots[filepath.Join(tree, filepath.FromSlash(strings.TrimSuffix(root, "/")))] = true
	}
	var sp []string
	for r := range roots {
		sp = append(sp, r)
	}
	argv := append([]string{"javac", "-nowarn", "-d", out, "-sourcepath", strings.Join(sp, string(os.PathListSeparator))}, files...)
	return v.command(ctx, tree, "javac", argv...)
}

func byExt(files []string, ext string) []string {
	var out []string
	for _, f := range files {
		if path.Ext(f) == ext {
			out = append(out, f)
		}
	}
	return out
}

// relTree names dir relative to its tree ("." for the root).
func (v *run) relTree(tree, dir string) string {
	rel, err := filepath.Rel(tree, dir)
	if err != nil {
		return dir
	}
	return filepath.ToSlash(rel)
}
