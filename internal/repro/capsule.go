package repro

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// CapsuleOptions configure the capsule-replay driver for Go services that
// use TAG's capture SDK.
type CapsuleOptions struct {
	Incident string
	// Kind is the incident kind; it sets how the replay is run (alone for
	// a panic or error, in parallel copies for a timeout, in repeated
	// concurrent rounds for a deadlock, blocked requests or a race).
	Kind string
	// Title describes the incident in the generated test's comment.
	Title string
	// Capsules are the failing request's capsule and its peers.
	Capsules []*capsule.Capsule
	// Site is the function a panic must pass through to be the recorded
	// failure (the report's top candidate); "" accepts any panic.
	Site string
	// Runs bounds how many times the test runs (default by kind).
	Runs int
	// Scrub redacts everything the result carries.
	Scrub Scrubber
}

// CapsuleTest is a generated reproduction test, placed in a tree.
type CapsuleTest struct {
	// Pkg is the package directory relative to the tree ("./examples/shop").
	Pkg string
	// Name is the test function's name.
	Name string
	// Files are the files written, relative to the tree.
	Files []string
}

// replayShape is how a kind is replayed.
type replayShape struct {
	parallel, rounds, runs int
	timeout                time.Duration
}

func shapeOf(kind string, capsules int) replayShape {
	switch kind {
	case "timeout":
		// Contention needs company: enough requests in flight to queue
		// past the deadline again — the recorded company (the late
		// request's peers) topped up with copies to the same load, not
		// twelve copies of each, which would make a contention between
		// different requests look like one among equal ones.
		return replayShape{parallel: (timeoutLoad + capsules - 1) / max(capsules, 1), rounds: 1, runs: 3}
	case "deadlock", "blocked", "leak":
		// Opposite requests meet in the first rounds when the bug is there;
		// the rest are the fixed code's chance to show it is not.
		return replayShape{parallel: 8, rounds: 50, runs: 5, timeout: 2 * time.Second}
	case "race":
		return replayShape{parallel: 4, rounds: 5, runs: 5}
	}
	return replayShape{parallel: 1, rounds: 1, runs: 3}
}

// leakChecked are the kinds whose replays also fail on goroutines left
// running once every request has answered: a fix for a concurrency
// failure must not trade it for a leak, and a leak's replay has no other
// symptom.
var leakChecked = map[string]bool{"deadlock": true, "blocked": true, "leak": true, "race": true, "timeout": true}

// timeoutLoad is how many requests a timeout's replay serves at once.
const timeoutLoad = 12

// WriteCapsuleTest writes the capsules and a Go test that replays them
// into the package that registered the service's handler factory, inside
// the tree at dir (a sandbox, or a verifier's worktree). The test fails
// while the recorded failure comes back.
func WriteCapsuleTest(dir string, opts CapsuleOptions) (*CapsuleTest, error) {
	if len(opts.Capsules) == 0 {
		return nil, errors.New("no capsules to replay")
	}
	sh := shapeOf(opts.Kind, len(opts.Capsules))
	return writeReplayTest(dir, generated{incident: opts.Incident, capsules: opts.Capsules, test: "TestTagRepro_",
		file: "tag_repro_", capsule: "capsule", tmpl: testTemplate, data: map[string]any{
			"Kind": opts.Kind, "Title": oneLine(opts.Title), "Site": opts.Site,
			"Parallel": sh.parallel, "Rounds": sh.rounds, "Timeout": int64(sh.timeout / time.Millisecond),
			"Leaks": leakChecked[opts.Kind],
		}})
}

// generated describes a generated replay test: its capsules, the
// prefixes of its test name, file name and capsule files, and its
// template with the data only it uses.
type generated struct {
	incident            string
	capsules            []*capsule.Capsule
	test, file, capsule string
	tmpl                *template.Template
	data                map[string]any
}

// writeReplayTest writes g's capsules and test into the package that
// registered the capsules' handler factory, inside the tree at dir. The
// template also gets Pkg, Import, Name, Incident, Service and Capsules.
func writeReplayTest(dir string, g generated) (*CapsuleTest, error) {
	main := g.capsules[0]
	if main.Factory == "" {
		return nil, fmt.Errorf("capsule %s does not name the package of its handler factory: the service must call capture.RegisterFactory", main.ID)
	}
	rel, err := packageDir(dir, main.Factory)
	if err != nil {
		return nil, err
	}
	pkgName, err := packageName(filepath.Join(dir, rel))
	if err != nil {
		return nil, err
	}
	short := shortID(g.incident)
	t := &CapsuleTest{Pkg: "./" + filepath.ToSlash(rel), Name: g.test + short}
	paths, err := t.writeCapsules(dir, rel, short, g.capsule, g.capsules)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"Pkg": pkgName, "Import": main.Factory, "Name": t.Name, "Incident": g.incident,
		"Service": main.Service, "Capsules": paths}
	maps.Copy(data, g.data)
	var b strings.Builder
	if err := g.tmpl.Execute(&b, data); err != nil {
		return nil, err
	}
	name := filepath.Join(rel, g.file+short+"_test.go")
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		return nil, err
	}
	t.Files = append(t.Files, filepath.ToSlash(name))
	return t, nil
}

// writeCapsules writes caps as testdata/tag/<short>/<prefix>-N.json in the
// package directory rel of the tree at dir, records them in t.Files, and
// returns their paths relative to the package.
func (t *CapsuleTest) writeCapsules(dir, rel, short, prefix string, caps []*capsule.Capsule) ([]string, error) {
	var paths []string
	for i, c := range caps {
		data, err := capsule.Encode(c)
		if err != nil {
			return nil, err
		}
		p := filepath.ToSlash(filepath.Join("testdata", "tag", short, fmt.Sprintf("%s-%d.json", prefix, i+1)))
		full := filepath.Join(dir, rel, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return nil, err
		}
		paths = append(paths, p)
		t.Files = append(t.Files, filepath.ToSlash(filepath.Join(rel, p)))
	}
	return paths, nil
}

var testTemplate = template.Must(template.New("t").Parse(`// Code generated by tag repro for incident {{.Incident}}; DO NOT EDIT.

package {{.Pkg}}_test

import (
	"testing"
	"time"

	_ "{{.Import}}" // registers the {{.Service}} handler factory
	"github.com/tagdebug/tag/sdk/go/replay"
)

// {{.Name}} replays the recorded requests of incident {{.Incident}}
// ({{.Kind}}: {{.Title}}) through the service's handler, with the
// recorded clock, seeds and outbound answers, and fails while the
// failure comes back.
func {{.Name}}(t *testing.T) {
	replay.Run(t, replay.Spec{
		Service:  {{printf "%q" .Service}},
		Capsules: []string{ {{- range $i, $c := .Capsules}}{{if $i}}, {{end}}{{printf "%q" $c}}{{end -}} },
		Site:     {{printf "%q" .Site}},
		Parallel: {{.Parallel}},
		Rounds:   {{.Rounds}},
		Timeout:  {{.Timeout}} * time.Millisecond,
		Leaks:    {{.Leaks}},
	})
}
`))

// GoCapsule reproduces an incident by replaying its capsules: it writes
// the test into the sandbox and runs it repeatedly (built once, under
// -race, across CPU counts) through the stress driver.
func GoCapsule(ctx context.Context, sb *Sandbox, opts CapsuleOptions) (*Result, error) {
	ct, err := WriteCapsuleTest(sb.Dir, opts)
	if err != nil {
		return nil, err
	}
	sh := shapeOf(opts.Kind, len(opts.Capsules))
	runs := opts.Runs
	if runs <= 0 {
		runs = sh.runs
	}
	var env []string
	if opts.Kind == "race" {
		// The first report is the evidence; a run that goes on printing
		// hundreds more of the same race only costs time.
		env = append(env, "GORACE=halt_on_error=1")
	}
	res, err := Stress(ctx, sb, StressOptions{Incident: opts.Incident, Pkg: ct.Pkg, Test: ct.Name,
		MaxRuns: runs, StopAfter: runs, TestTimeout: 90 * time.Second, Scrub: opts.Scrub, Env: env})
	if err != nil {
		return nil, err
	}
	res.Driver = "capsule"
	main := opts.Capsules[0]
	res.Signature = opts.Scrub.apply(signatureOf(opts, main))
	res.Notes = append(res.Notes, fmt.Sprintf("replayed %d capsule(s) of %s %s in %s (test %s)", len(opts.Capsules), main.Service, main.Route, ct.Pkg, ct.Name))
	res.Drift = append(res.Drift, goDrift(ctx, main.Env)...)
	return res, nil
}

func signatureOf(opts CapsuleOptions, c *capsule.Capsule) string {
	switch {
	case c.Panic != nil && opts.Site != "":
		return "panic through " + opts.Site + ": " + c.Panic.Value
	case c.Panic != nil:
		return "panic: " + c.Panic.Value
	case opts.Kind == "race":
		return "data race under the replayed load"
	case c.Promoted == capsule.PromotedHang:
		return "requests do not finish within the deadline"
	}
	return fmt.Sprintf("%s answers %d or does not finish within its deadline", c.Route, c.Response.Status)
}

// goDrift compares the recording's Go toolchain and platform with this
// machine's.
func goDrift(ctx context.Context, env capsule.Env) []string {
	var out []string
	if env.GoVersion != "" {
		if v, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output(); err == nil {
			if local := strings.TrimSpace(string(v)); local != env.GoVersion {
				out = append(out, fmt.Sprintf("Go %s recorded, %s here (not pinned)", env.GoVersion, local))
			}
		}
	}
	if env.GOOS != "" {
		if v, err := exec.CommandContext(ctx, "go", "env", "GOOS", "GOARCH").Output(); err == nil {
			f := strings.Fields(string(v))
			if len(f) == 2 && (f[0] != env.GOOS || f[1] != env.GOARCH) {
				out = append(out, fmt.Sprintf("recorded on %s/%s, replayed on %s/%s", env.GOOS, env.GOARCH, f[0], f[1]))
			}
		}
	}
	if env.TZ != "" && env.TZ != "Local" && os.Getenv("TZ") != env.TZ {
		out = append(out, "time zone "+env.TZ+" recorded; the replay freezes the SDK clock but not time.Local")
	}
	return out
}

// packageDir finds the directory of import path pkg inside the tree at
// dir, from the module that owns it (the longest module path prefix among
// the tree's go.mod files).
func packageDir(dir, pkg string) (string, error) {
	best, bestMod := "", ""
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if n := d.Name(); p != dir && (skipDirs[n] || n == "vendor" || n == "testdata" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "go.mod" {
			return nil
		}
		mod := modulePath(p)
		if mod != "" && (pkg == mod || strings.HasPrefix(pkg, mod+"/")) && len(mod) > len(bestMod) {
			best, bestMod = filepath.Dir(p), mod
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if bestMod == "" {
		return "", fmt.Errorf("no module in %s provides package %s", dir, pkg)
	}
	relMod, _ := filepath.Rel(dir, best)
	rel := filepath.Join(relMod, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(pkg, bestMod), "/")))
	if st, err := os.Stat(filepath.Join(dir, rel)); err != nil || !st.IsDir() {
		return "", fmt.Errorf("package %s: no directory %s in %s", pkg, rel, dir)
	}
	return rel, nil
}

// modulePath reads a go.mod's module path ("" when unreadable).
func modulePath(gomod string) string {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	return modfile.ModulePath(data)
}

// packageName reads the package clause of the directory's Go files.
func packageName(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	for _, e := range ents {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name != "main" {
			return f.Name.Name, nil
		}
	}
	return "", fmt.Errorf("no importable Go package in %s", dir)
}

func shortID(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
		if b.Len() == 12 {
			break
		}
	}
	if b.Len() == 0 {
		return "incident"
	}
	return b.String()
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return strings.ReplaceAll(s, "*/", "* /")
}
