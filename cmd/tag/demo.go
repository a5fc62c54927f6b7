package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	tagsrc "github.com/tagdebug/tag"
	examples "github.com/tagdebug/tag/examples/evidence"
	"github.com/tagdebug/tag/internal/demo"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/server"
	"github.com/tagdebug/tag/internal/store"
	"github.com/tagdebug/tag/internal/verify"
)

// demoRow is one line of `tag demo --json` (DESIGN.md §4): one failure of
// one example and what the loop made of it.
type demoRow struct {
	Example string `json:"example"`
	// Failure names the example's failure ("pay", "top-users").
	Failure    string `json:"failure,omitempty"`
	Incident   string `json:"incident"`
	Kind       string `json:"kind"`
	RootCause  string `json:"root_cause"`
	Reproduced bool   `json:"reproduced"`
	// ReproRuns and ReproFailures are the reproduction's rate before the
	// fix: the failure came back in ReproFailures of ReproRuns runs.
	ReproRuns     int      `json:"repro_runs,omitempty"`
	ReproFailures int      `json:"repro_failures,omitempty"`
	Template      string   `json:"template,omitempty"`
	Patch         string   `json:"patch,omitempty"`
	Lines         int      `json:"lines_changed,omitempty"`
	Verdict       string   `json:"verdict"`
	Reasons       []string `json:"reasons,omitempty"`
	// Seconds is the time from the incident to a verified bundle (the fix
	// loop); BuildTestSeconds the part of it spent building and testing.
	Seconds          float64 `json:"seconds"`
	BuildTestSeconds float64 `json:"build_test_seconds"`
	Bundle           string  `json:"bundle"`
	Branch           string  `json:"branch,omitempty"`
}

func (a *app) demoCommand() *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole loop on the example services: traffic → incidents → verified patches",
		Long: `TAG's main job on embedded defaults, offline, with no model and no configuration.

In a scratch workspace (--dir, default a new temporary directory, kept: the
bundles are the output) the demo lays out a repository with the example
services, starts an embedded receiver (tag serve) on a scratch store, and runs
the services the way production does: the Go shop (built with -race, as a canary,
exporting OpenTelemetry traces and capsules through TAG's capture SDK), the
Python worker (exporting OTLP) and the Java ledger (whose deadlock is dumped
with jstack). It drives healthy and failing traffic, waits for the incidents,
then runs tag fix on each — analyse, reproduce, propose (templates), verify,
bundle on a new branch — and prints a table: incident, root cause, reproduced,
patch, verdict and the time from the incident to a verified bundle.

Needs the Go toolchain, git, python3 and a JDK; an example whose tools are
missing is skipped with a note. --evidence runs the older evidence-only demo
(bundled OTLP files and a goroutine dump; no toolchain needed).

Exit 0 when every incident got a verified patch, 1 otherwise.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.evidence {
				return a.demoEvidence(cmd.Context(), o.keep)
			}
			for _, name := range o.only {
				if !slices.ContainsFunc(demoExamples, func(e demoExample) bool { return e.name == name }) {
					return usageError{fmt.Errorf("--only %s: no such example (shop, pyworker, ledger)", name)}
				}
			}
			rows, err := a.demo(cmd.Context(), o)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(rows); err != nil {
					return err
				}
			}
			for _, r := range rows {
				if r.Verdict != verify.Verified {
					return errSaidNo
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "workspace for the repository, store, logs and bundles (default: a new temporary directory)")
	cmd.Flags().StringSliceVar(&o.only, "only", nil, "run only these examples (shop, pyworker, ledger)")
	cmd.Flags().BoolVar(&o.evidence, "evidence", false, "the evidence-only demo: ingest bundled files, show the incidents")
	cmd.Flags().BoolVar(&o.keep, "keep", false, "with --evidence: keep the scratch store and print its path")
	return cmd
}

// demoOptions are `tag demo`'s flags.
type demoOptions struct {
	dir      string
	only     []string
	evidence bool
	keep     bool
}

// demoExample is one example service and its runner.
type demoExample struct {
	name  string
	tools []string
	run   func(context.Context, *demo.Env) ([]demo.Target, error)
}

var demoExamples = []demoExample{
	{"shop", []string{"go", "gcc"}, demo.Shop},
	{"pyworker", []string{"python3"}, demo.Pyworker},
	{"ledger", []string{"java", "jstack"}, demo.Ledger},
}

// demo runs the loop and prints the table as rows complete.
func (a *app) demo(ctx context.Context, o demoOptions) ([]demoRow, error) {
	start := time.Now()
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("tag demo needs git: the fixes are committed on branches of a scratch repository")
	}
	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "tag-demo-")
		if err != nil {
			return nil, err
		}
		dir = d
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var logw io.Writer
	if !a.jsonOut && isTerminal(a.stderr) {
		logw = a.stderr
	}
	say := func(format string, args ...any) {
		if logw != nil {
			fmt.Fprintf(logw, format+"\n", args...)
		}
	}
	say("tag demo: workspace %s", dir)
	repo := filepath.Join(dir, "repo")
	if err := writeDemoRepo(ctx, repo); err != nil {
		return nil, err
	}
	a.storeFlag = filepath.Join(dir, "store")
	env := &demo.Env{Repo: repo, Work: filepath.Join(dir, "work"), Log: logw}
	targets, notes, err := a.demoRun(ctx, env, o.only)
	if err != nil {
		return nil, err
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	ins, err := st.Incidents(ctx)
	if err != nil {
		return nil, err
	}
	say("tag demo: %d incidents from the examples' traffic in %s", len(ins), time.Since(start).Round(time.Second))
	rows := append([]demoRow{}, notes...)
	for _, tg := range targets {
		row := demoRow{Example: tg.Example, Failure: tg.Name, Verdict: "no-incident"}
		for _, in := range ins {
			if tg.Matches(in.Kind, in.Service, in.Endpoint, in.Title) {
				row.Incident, row.Kind = in.ID, in.Kind
				break
			}
		}
		if row.Incident == "" {
			row.Reasons = []string{fmt.Sprintf("no %s incident of %s matching %q", tg.Kind, tg.Service, tg.Hint)}
			rows = append(rows, row)
			continue
		}
		say("tag demo: fixing %s/%s (incident %s, %s)", tg.Example, tg.Name, row.Incident, row.Kind)
		fo := fixOptions{repo: repo, model: "template", branch: true, expectFlip: tg.ExpectFlip,
			capsules: tg.Capsules, testFlags: tg.TestFlags, progress: logw,
			out: filepath.Join(dir, "bundles", pathSafe(tg.Example+"-"+tg.Name))}
		res, err := a.fix(ctx, row.Incident, fo)
		if err != nil {
			row.Verdict, row.Reasons = verify.StatusError, []string{err.Error()}
		} else {
			row.fill(res)
		}
		say("tag demo: %s/%s %s in %.1fs", tg.Example, tg.Name, row.Verdict, row.Seconds)
		rows = append(rows, row)
	}
	if !a.jsonOut {
		printDemoTable(a.stdout, rows)
		fmt.Fprintf(a.stdout, "\nworkspace %s (repository, store, logs); bundles under %s\n", dir, filepath.Join(dir, "bundles"))
		fmt.Fprintf(a.stdout, "branches: git -C %s branch --list 'tag/*'   total %s\n", repo, time.Since(start).Round(time.Second))
	}
	return rows, nil
}

// demoRun starts the embedded receiver on the demo's store, runs the
// examples against it (concurrently: the shop's build overlaps the
// others' runs) and stops the receiver once everything sent is stored.
// Examples that cannot run here come back as rows saying why.
func (a *app) demoRun(ctx context.Context, env *demo.Env, only []string) ([]demo.Target, []demoRow, error) {
	p, err := a.pipeline(ctx)
	if err != nil {
		return nil, nil, err
	}
	cfg := server.DefaultConfig()
	cfg.OTLPHTTPAddr, cfg.OTLPGRPCAddr, cfg.APIAddr = "127.0.0.1:0", "", ""
	srv := server.New(cfg, p, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if srv.Guard, err = a.egressGuard(); err != nil {
		return nil, nil, err
	}
	if err := srv.Start(ctx); err != nil {
		return nil, nil, err
	}
	env.OTLP = "http://" + srv.HTTPAddr()
	var ingestMu sync.Mutex
	env.Ingest = func(ctx context.Context, art demo.Artifacts) error {
		ingestMu.Lock()
		defer ingestMu.Unlock()
		q := *p // the receiver shares p: the origin goes on a copy
		q.Origin = ingest.Origin{Service: art.Service, Process: art.Process, SourceRoots: art.Src}
		_, err := q.Files(ctx, art.Files, "", nil)
		return err
	}
	type outcome struct {
		targets []demo.Target
		note    *demoRow
	}
	results := make([]outcome, len(demoExamples))
	var wg sync.WaitGroup
	for i, ex := range demoExamples {
		if len(only) > 0 && !slices.Contains(only, ex.name) {
			continue
		}
		for _, tool := range ex.tools {
			if _, err := exec.LookPath(tool); err != nil {
				results[i].note = &demoRow{Example: ex.name, Verdict: "skipped", Reasons: []string{tool + " is not installed"}}
			}
		}
		if results[i].note != nil {
			continue
		}
		wg.Go(func() {
			t0 := time.Now()
			ts, err := ex.run(ctx, env)
			if err != nil {
				results[i].note = &demoRow{Example: ex.name, Verdict: verify.StatusError, Reasons: []string{err.Error()},
					Seconds: time.Since(t0).Seconds()}
				return
			}
			results[i].targets = ts
		})
	}
	wg.Wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return nil, nil, err
	}
	var targets []demo.Target
	var notes []demoRow
	for _, r := range results {
		targets = append(targets, r.targets...)
		if r.note != nil {
			notes = append(notes, *r.note)
		}
	}
	return targets, notes, nil
}

// writeDemoRepo lays out the embedded examples as a git repository with
// one commit on main.
func writeDemoRepo(ctx context.Context, repo string) error {
	if _, err := os.Stat(filepath.Join(repo, ".git")); err == nil {
		return fmt.Errorf("%s already holds a repository: give tag demo an empty --dir", repo)
	}
	err := fs.WalkDir(tagsrc.Source, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := tagsrc.Source.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(repo, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return err
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "."},
		{"-c", "user.name=TAG demo", "-c", "user.email=demo@tag.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "The example services"},
	} {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-C", repo}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v\n%s", args[0], err, out)
		}
	}
	return nil
}

// fill copies a fix's outcome into the row.
func (r *demoRow) fill(res *fixResult) {
	r.Verdict, r.RootCause, r.Reproduced = res.Verdict, res.RootCause, res.Reproduced
	r.Patch, r.Template, r.Bundle, r.Branch = res.Patch, res.Template, res.Bundle, res.Branch
	r.Seconds, r.BuildTestSeconds, r.Reasons = res.Seconds, res.BuildTestSeconds, res.Reasons
	r.Lines, r.ReproRuns, r.ReproFailures = res.LinesChanged, res.ReproRuns, res.ReproFailures
}

// printDemoTable prints the rows aligned, one per failure.
func printDemoTable(w io.Writer, rows []demoRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXAMPLE\tINCIDENT\tKIND\tROOT CAUSE\tREPRODUCED\tPATCH\tVERDICT\tTIME")
	for _, r := range rows {
		name := r.Example
		if r.Failure != "" {
			name += "/" + r.Failure
		}
		rep := "no"
		if r.Reproduced {
			rep = "yes"
		}
		if r.ReproRuns > 0 {
			rep += fmt.Sprintf(" (%d/%d)", r.ReproFailures, r.ReproRuns)
		}
		patch := "-"
		if r.Template != "" {
			patch = fmt.Sprintf("%s (%d lines)", r.Template, r.Lines)
		}
		cause := r.RootCause
		if cause == "" && len(r.Reasons) > 0 {
			cause = r.Reasons[0]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1fs\n", name, orDash(r.Incident), orDash(r.Kind),
			clipText(firstLine(cause), 60), rep, patch, r.Verdict, r.Seconds)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Verdict != verify.Verified && len(r.Reasons) > 0 {
			fmt.Fprintf(w, "%s/%s: %s\n", r.Example, r.Failure, strings.Join(r.Reasons, "; "))
		}
	}
}

// pathSafe makes a label usable as one path element.
func pathSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

// demoEvidence is the demo without a Go toolchain: the bundled evidence
// of three failing services, ingested into a scratch store, with the
// incidents and the evidence behind each.
func (a *app) demoEvidence(ctx context.Context, keep bool) error {
	dir, err := os.MkdirTemp("", "tag-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	var paths []string
	err = fs.WalkDir(examples.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := examples.Files.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, "evidence", p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if !strings.HasPrefix(p, "_src/") {
			paths = append(paths, dst)
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return err
	}
	st, err := store.OpenSQLite(ctx, filepath.Join(dir, "store"))
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	eng, err := a.engineFor(filepath.Join(dir, "store"))
	if err != nil {
		return err
	}
	p := &ingest.Pipeline{Store: st, Redactor: eng}
	// The dumps' program source lets decoders name locks from code.
	p.Origin.SourceRoots = []string{filepath.Join(dir, "evidence", "_src")}
	// Traces and logs name their services; a dump does not, so the
	// example's file name says which service it was taken from.
	var traces, dumps []string
	for _, path := range paths {
		if strings.HasSuffix(path, ".txt") {
			dumps = append(dumps, path)
		} else {
			traces = append(traces, path)
		}
	}
	if _, err := p.Files(ctx, traces, "", nil); err != nil {
		return err
	}
	for _, path := range dumps {
		p.Origin.Service, _, _ = strings.Cut(filepath.Base(path), "-")
		if _, err := p.Files(ctx, []string{path}, "", nil); err != nil {
			return err
		}
	}
	ins, err := st.Incidents(ctx)
	if err != nil {
		return err
	}
	rows := []demoRow{}
	for _, in := range ins {
		v, err := inspect.Load(ctx, st, in.ID)
		if err != nil {
			return err
		}
		r := rca.Analyze(v)
		rows = append(rows, demoRow{Example: in.Service, Incident: in.ID, Kind: in.Kind, RootCause: r.RootCause.Summary,
			Verdict: "not-run", Seconds: time.Since(start).Seconds()})
		if !a.jsonOut {
			a.printReport(r)
			fmt.Fprintln(a.stdout)
		}
	}
	if a.jsonOut {
		return a.printJSON(rows)
	}
	fmt.Fprintf(a.stdout, "%d incidents from %d evidence files in %s", len(rows), len(paths), time.Since(start).Round(time.Millisecond))
	if keep {
		fmt.Fprintf(a.stdout, "; store kept at %s", filepath.Join(dir, "store"))
	}
	fmt.Fprintln(a.stdout)
	return nil
}
