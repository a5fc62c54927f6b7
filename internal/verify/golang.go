package verify

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// goModule is one Go module of a tree with the changed packages in it.
type goModule struct {
	root string   // absolute module root in the tree
	pkgs []string // "./dir" patterns relative to root
	dirs []string // the same packages as absolute directories
}

// goModules groups the changed Go files' packages by module, looking for
// the nearest go.mod above each file inside tree.
func goModules(tree string, files []string) []goModule {
	byRoot := map[string]*goModule{}
	seen := map[string]bool{}
	for _, f := range files {
		if path.Ext(f) != ".go" {
			continue
		}
		dir := filepath.Join(tree, filepath.FromSlash(path.Dir(f)))
		if seen[dir] || !hasGoFiles(dir) {
			continue
		}
		seen[dir] = true
		root := moduleRoot(tree, dir)
		if root == "" {
			continue
		}
		m := byRoot[root]
		if m == nil {
			m = &goModule{root: root}
			byRoot[root] = m
		}
		rel, _ := filepath.Rel(root, dir)
		m.pkgs = append(m.pkgs, "./"+filepath.ToSlash(rel))
		m.dirs = append(m.dirs, dir)
	}
	var out []goModule
	for _, m := range byRoot {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].root < out[j].root })
	return out
}

func moduleRoot(tree, dir string) string {
	for d := dir; within(tree, d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if d == filepath.Clean(tree) {
			break
		}
	}
	return ""
}

func hasGoFiles(dir string) bool {
	m, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	return len(m) > 0
}

// goEnv keeps the go command offline and on the local toolchain. Race
// builds need cgo.
func goEnv(race bool) []string {
	env := []string{"GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=" + strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false")}
	if race {
		env = append(env, "CGO_ENABLED=1")
	}
	return env
}

// goRun runs the go command in dir. Callers pass -trimpath: without it
// every package's cache key holds its directory, so each throwaway tree
// would recompile all of the module it uses; with it the before and after
// trees share what did not change. (A test that finds files through
// runtime.Caller's paths sees module-relative paths.) Race-detector processes get no
// address-space limit (their shadow memory is terabytes of reservation).
func (v *run) goRun(ctx context.Context, dir string, race bool, args ...string) (Outcome, error) {
	c := Cmd{Dir: dir, Args: append([]string{"go"}, args...), Env: goEnv(race), Timeout: v.lim.Step, Memory: v.lim.Memory}
	if race {
		c.Memory = 0
	}
	return v.runner.Run(ctx, c)
}

// testPattern anchors each level of a test name for -run.
func testPattern(names ...string) string {
	levels := map[int][]string{}
	depth := 0
	for _, n := range names {
		parts := strings.Split(n, "/")
		for i, p := range parts {
			levels[i] = append(levels[i], regexp.QuoteMeta(p))
		}
		depth = max(depth, len(parts))
	}
	var out []string
	for i := range depth {
		out = append(out, "^("+strings.Join(dedupe(levels[i]), "|")+")$")
	}
	return strings.Join(out, "/")
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// binaryFlags turns go test flags into test binary flags (-short →
// -test.short).
func binaryFlags(flags []string) []string {
	var out []string
	for _, f := range flags {
		if strings.HasPrefix(f, "-") && !strings.HasPrefix(f, "-test.") {
			f = "-test." + strings.TrimLeft(f, "-")
		}
		out = append(out, f)
	}
	return out
}
