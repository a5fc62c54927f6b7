package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/internal/repair/template"
	"github.com/tagdebug/tag/internal/report"
	"github.com/tagdebug/tag/internal/verify"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// fixResult is the `tag fix --json` shape (DESIGN.md §4).
type fixResult struct {
	Incident string         `json:"incident"`
	Kind     string         `json:"kind"`
	Verdict  string         `json:"verdict"`
	Patch    string         `json:"patch"`
	Tests    string         `json:"tests"`
	Checks   []verify.Check `json:"checks"`
	Bundle   string         `json:"bundle"`
	Branch   string         `json:"branch,omitempty"`
	// Reproduced says whether the failure came back before the fix;
	// ReproRuns and ReproFailures are that reproduction's rate (k of n).
	Reproduced    bool `json:"reproduced"`
	ReproRuns     int  `json:"repro_runs,omitempty"`
	ReproFailures int  `json:"repro_failures,omitempty"`
	// Template names the fix pattern of the chosen candidate.
	Template string `json:"template,omitempty"`
	// LinesChanged counts the patch's added and deleted lines.
	LinesChanged int      `json:"lines_changed,omitempty"`
	RootCause    string   `json:"root_cause"`
	Candidates   int      `json:"candidates"`
	Reasons      []string `json:"reasons,omitempty"`
	Seconds      float64  `json:"seconds"`
	// BuildTestSeconds is the time spent in builds and test runs.
	BuildTestSeconds float64 `json:"build_test_seconds"`
}

// fixOptions are `tag fix`'s flags.
type fixOptions struct {
	repo       string
	model      string
	out        string
	branch     bool
	expectFlip []string
	capsules   []string
	testFlags  []string
	progress   io.Writer
}

func (a *app) fixCommand() *cobra.Command {
	var o fixOptions
	cmd := &cobra.Command{
		Use:   "fix INCIDENT --repo DIR",
		Short: "Propose, verify and bundle a patch for an incident",
		Long: `Run the loop on one incident: analyse (root-cause report), reproduce (from its
capsules), propose candidate patches (--model template, the default and offline,
or openai:<model> / anthropic:<model>), verify each in throwaway worktrees,
smallest first (strict apply, locality, build, API stability, reproduction
red → green, the regression test, the existing suite, -race stress for
concurrency kinds, the endpoint's healthy recorded requests answering the same
before and after, and the invariants mined from its healthy traces) and write
the PR bundle of the best verified candidate, committed on a new branch of the
repository (never the current one).

--expect-flip names existing tests that prove the bug exists and so are
expected to fail once it is fixed.

Exit 0 when a verified patch exists, 1 when none does (with the reasons).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.repo == "" {
				return usageError{errors.New("--repo DIR is required")}
			}
			if !a.jsonOut && isTerminal(a.stderr) {
				o.progress = a.stderr
			}
			res, err := a.fix(cmd.Context(), args[0], o)
			if err != nil {
				return err
			}
			if a.jsonOut {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else {
				printFix(a, res)
			}
			if res.Verdict != verify.Verified {
				return errSaidNo
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.repo, "repo", "", "the service's repository (read; the fix goes on a new branch)")
	cmd.Flags().StringVar(&o.model, "model", "template", "proposer: template | openai:<model> | anthropic:<model>")
	cmd.Flags().StringVar(&o.out, "out", "", "bundle directory (default: <store>/bundles/<incident>)")
	cmd.Flags().BoolVar(&o.branch, "branch", true, "commit the verified patch on a new branch of --repo (when it is a git repository)")
	cmd.Flags().StringArrayVar(&o.expectFlip, "expect-flip", nil, "an existing test that proves the bug and is expected to fail once fixed (repeatable)")
	cmd.Flags().StringArrayVar(&o.capsules, "capsule", nil, "a process or Go capsule file to reproduce from (repeatable)")
	cmd.Flags().StringArrayVar(&o.testFlags, "test-flag", nil, "a flag added to every go test run (e.g. -short)")
	return cmd
}

// stage reports one step of the loop on the progress writer.
func stage(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, "  · "+format+"\n", args...)
	}
}

// fix runs analyse → reproduce → propose → verify → bundle.
func (a *app) fix(ctx context.Context, id string, o fixOptions) (*fixResult, error) {
	start := time.Now()
	eng, err := a.redactor()
	if err != nil {
		return nil, err
	}
	guard, err := a.egressGuard()
	if err != nil {
		return nil, err
	}
	repo, err := filepath.Abs(o.repo)
	if err != nil {
		return nil, err
	}
	stage(o.progress, "analysing %s", id)
	p, err := a.plan(ctx, id, o.capsules, eng.RedactText)
	if err != nil {
		return nil, err
	}
	v := p.view
	res := &fixResult{Incident: v.Incident.ID, Kind: v.Incident.Kind, Verdict: verify.Rejected,
		RootCause: p.report.RootCause.Summary, Checks: []verify.Check{}}
	proposer, err := proposerFor(o.model)
	if err != nil {
		return nil, usageError{err}
	}
	var rateOnce sync.Once
	reproduce := func(ctx context.Context, dir string) (bool, string, error) {
		r, err := p.run(ctx, dir, reproRuns(v.Incident.Kind))
		if err != nil {
			return false, "", err
		}
		// The verifier reproduces on the unpatched tree first: its rate is
		// the incident's.
		rateOnce.Do(func() { res.ReproRuns, res.ReproFailures = r.Runs, r.Failures })
		var b strings.Builder
		for _, s := range r.Transcript {
			fmt.Fprintf(&b, "$ %s  (exit %d, %.1fs)\n", s.Command, s.Exit, s.Seconds)
		}
		fmt.Fprintf(&b, "%d of %d runs reproduced: %s\n", r.Failures, r.Runs, r.Signature)
		if r.Dump != "" {
			b.WriteString(r.Dump)
		}
		return r.Reproduced, b.String(), nil
	}
	hp, err := a.happyPath(ctx, p, repo)
	if err != nil {
		return nil, err
	}
	stage(o.progress, "proposing patches (%s)", proposer.Name())
	req := &repair.Request{Report: p.report, Graph: v.Graph, Repo: repo, Inputs: inputsOf(p.goCaps)}
	cands, err := proposer.Propose(ctx, req)
	if err != nil {
		return nil, err
	}
	res.Candidates = len(cands)
	if len(cands) == 0 {
		res.Reasons = append(res.Reasons, "no template matches the evidence of this "+v.Incident.Kind)
	} else {
		// The unpatched tree's healthy answers are the same for every
		// candidate: serve them while the first one is applied and built.
		// Whatever is still running when fix returns is stopped.
		pre, stop := context.WithCancel(ctx)
		defer stop()
		hp.Prefetch(pre)
	}
	// Smallest fix first: once one is verified, a larger candidate could
	// not outrank it (verify.Rank), so verification stops there.
	cands = verify.Order(cands)
	var results []*verify.Result
	verifiedSize := -1 // the smallest verified fix's size, once there is one
	for i, c := range cands {
		if verifiedSize >= 0 && verify.Size(c) > verifiedSize {
			break
		}
		stage(o.progress, "verifying candidate %d of %d (%s)", i+1, len(cands), c.Template)
		vr, err := verify.Verify(ctx, &verify.Input{Repo: repo, Report: p.report, Candidate: c, Reproduce: reproduce,
			Neighbours: hp.Neighbours, Invariants: hp.Invariants, ExpectFlip: o.expectFlip, TestFlags: o.testFlags,
			Progress: checkProgress(o.progress)})
		if err != nil {
			return nil, err
		}
		for _, ch := range vr.Checks {
			// Every check but apply and locality builds or runs tests.
			if ch.Name != verify.CheckApply && ch.Name != verify.CheckLocality {
				res.BuildTestSeconds += ch.Seconds
			}
		}
		stage(o.progress, "  %s%s", vr.Verdict, suffix(vr.Reason))
		results = append(results, vr)
		if vr.Verdict == verify.Verified && verifiedSize < 0 {
			verifiedSize = vr.LinesChanged
		}
		if vr.Verdict != verify.Verified {
			res.Reasons = append(res.Reasons, c.Template+": "+vr.Reason)
		}
	}
	results = verify.Rank(results)
	if len(results) == 0 {
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}
	best := results[0]
	res.Verdict, res.Checks = best.Verdict, best.Checks
	res.Patch, res.Tests, res.Template = best.Candidate.Patch, best.Candidate.Test, best.Candidate.Template
	res.LinesChanged = best.LinesChanged
	for _, c := range best.Checks {
		if c.Name == verify.CheckReproBefore && c.Status == verify.StatusPass {
			res.Reproduced = true
		}
	}
	bundle := &report.Bundle{Incident: v.Incident.ID, Title: v.Incident.Title, Report: p.report,
		TraceSummary: traceSummary(p), Candidate: best.Candidate, Verdict: best.Verdict, Repo: repo}
	for _, c := range best.Checks {
		bundle.Checks = append(bundle.Checks, report.Check{Name: c.Name, Status: c.Status, Seconds: c.Seconds, Detail: c.Detail})
		text := c.Detail
		if c.Transcript != "" {
			text = firstLine(c.Detail) + "\n\n" + c.Transcript
		}
		switch c.Name {
		case verify.CheckReproBefore:
			bundle.ReproBefore = text
		case verify.CheckReproAfter:
			bundle.ReproAfter = text
		}
	}
	out := o.out
	if out == "" {
		out = filepath.Join(a.storeDir(), "bundles", v.Incident.ID)
	}
	stage(o.progress, "writing the bundle to %s", out)
	w, err := report.Write(ctx, bundle, out, guard)
	if err != nil {
		return nil, err
	}
	res.Bundle = w.Dir
	if o.branch && best.Verdict == verify.Verified && isGitRepo(repo) {
		br, _, err := report.Branch(ctx, repo, bundle, report.BranchOptions{Guard: guard, Suffix: true})
		if err != nil {
			res.Reasons = append(res.Reasons, "branch: "+err.Error())
		} else {
			res.Branch = br
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// proposerFor resolves --model.
func proposerFor(model string) (repair.Proposer, error) {
	switch {
	case model == "" || model == "template":
		return template.Proposer{}, nil
	case strings.HasPrefix(model, "openai:") || strings.HasPrefix(model, "anthropic:"):
		return newModelProposer(model)
	}
	return nil, fmt.Errorf("unknown --model %q (template | openai:<model> | anthropic:<model>)", model)
}

// reproRuns is how often verification reruns the reproduction: enough to
// trust a "not reproduced" for concurrency kinds, once otherwise.
func reproRuns(kind string) int {
	if verify.ConcurrencyKinds[kind] {
		return 3
	}
	return 1
}

// inputsOf gives proposers the failing request's redacted inputs.
func inputsOf(caps []*capsule.Capsule) map[string]string {
	if len(caps) == 0 {
		return nil
	}
	c := caps[0]
	in := map[string]string{"method": c.Request.Method, "path": c.Request.Path, "route": c.Route}
	if c.Request.BodyKept {
		in["body"] = c.Request.Body
	}
	if c.Request.Query != "" {
		in["query"] = c.Request.Query
	}
	return in
}

func traceSummary(p *reproPlan) string {
	v := p.view
	s := fmt.Sprintf("%s %s in %s (%s), %d occurrence(s)", v.Incident.Kind, v.Incident.Title, v.Incident.Service, v.Incident.Endpoint, v.Incident.Count)
	if len(p.goCaps) > 0 {
		c := p.goCaps[0]
		s += fmt.Sprintf("; trace %s, %s answered %d after %v", c.TraceID, c.Route, c.Response.Status, time.Duration(c.Duration).Round(time.Millisecond))
	}
	return s
}

// checkProgress shows each verification check live on a terminal: its
// name while it runs, then its status, time and first line of detail.
func checkProgress(w io.Writer) func(verify.Check, bool) {
	if w == nil {
		return nil
	}
	return func(c verify.Check, done bool) {
		if !done {
			fmt.Fprintf(w, "      %-16s running…", c.Name)
			return
		}
		fmt.Fprintf(w, "\r\033[K      %-16s %-5s %5.1fs  %s\n", c.Name, c.Status, c.Seconds, clipText(firstLine(c.Detail), 70))
	}
}

func suffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + firstLine(reason)
}

func isGitRepo(dir string) bool {
	out, err := exec.Command("git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return false
	}
	top, _ := filepath.EvalSymlinks(strings.TrimSpace(string(out)))
	d, _ := filepath.EvalSymlinks(dir)
	return top == d
}

func printFix(a *app, r *fixResult) {
	w := a.stdout
	fmt.Fprintf(w, "incident %s  %s  verdict %s  (%.1fs, %.1fs in builds and tests)\n", r.Incident, r.Kind, r.Verdict, r.Seconds, r.BuildTestSeconds)
	fmt.Fprintf(w, "root cause  %s\n", r.RootCause)
	if r.ReproRuns > 0 {
		fmt.Fprintf(w, "reproduced  %d of %d runs before the fix\n", r.ReproFailures, r.ReproRuns)
	}
	if r.Template != "" {
		fmt.Fprintf(w, "patch       %s\n", r.Template)
	}
	for _, c := range r.Checks {
		fmt.Fprintf(w, "  %-16s %-6s %5.1fs  %s\n", c.Name, c.Status, c.Seconds, firstLine(c.Detail))
	}
	for _, reason := range r.Reasons {
		fmt.Fprintf(w, "reason      %s\n", reason)
	}
	if r.Bundle != "" {
		fmt.Fprintf(w, "bundle      %s\n", r.Bundle)
	}
	if r.Branch != "" {
		fmt.Fprintf(w, "branch      %s\n", r.Branch)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
