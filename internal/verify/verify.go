package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/bluekeyes/go-gitdiff/gitdiff"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
	"github.com/tagdebug/tag/internal/repro"
)

// Check names, in the order Verify runs them.
const (
	CheckApply       = "apply"
	CheckLocality    = "locality"
	CheckBuild       = "build"
	CheckAPI         = "api"
	CheckReproBefore = "repro-before"
	CheckReproAfter  = "repro-after"
	CheckRegression  = "regression-test"
	CheckSuite       = "suite"
	CheckRaceStress  = "race-stress"
	CheckNeighbours  = "neighbours"
	CheckInvariants  = "invariants"
	// CheckProof passes when a red→green reproduction or regression test
	// proves the fix; without one nothing shows the failure is gone.
	CheckProof = "proof"
)

// Check statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusSkip  = "skip"  // not applicable here, or not run after a failure
	StatusError = "error" // the check itself could not run
)

// Verdicts.
const (
	Verified = "verified"
	Rejected = "rejected"
)

// Input is one candidate to verify and what to verify it against.
type Input struct {
	// Repo is the user's repository. It is only read: every check runs in
	// throwaway copies.
	Repo string
	// Report is the incident's RCA report; its Kind decides whether the
	// race-stress check applies.
	Report *rca.Report
	// SliceFunctions are the implicated functions, for locality; when
	// empty they come from Report (SliceLocations).
	SliceFunctions []Location
	// Candidate is the proposed fix and regression test.
	Candidate repair.Candidate
	// Reproduce runs the reproduction in a tree and says whether the
	// failure signature came back. It is called on the unpatched tree
	// (must reproduce) and on the patched one (must not), with ctx bounded
	// by Limits.Step; it should run its commands through a Runner. Nil
	// skips repro-before and repro-after.
	Reproduce func(ctx context.Context, dir string) (reproduced bool, transcript string, err error)
	// Neighbours replays healthy captures of the same endpoint on the
	// patched tree and says whether they behave the same; nil skips.
	Neighbours func(ctx context.Context, dir string) (same bool, detail string, err error)
	// Invariants checks the mined invariants on the patched tree; nil
	// skips.
	Invariants func(ctx context.Context, dir string) (hold bool, detail string, err error)
	// ExpectFlip names existing tests that prove the bug exists (they
	// pass while it does) and so are expected to fail once it is fixed.
	// The suite leaves them out and says whether they flipped.
	ExpectFlip []string
	// TestFlags are added to every go test run (e.g. "-short" to leave out
	// a service's end-to-end tests).
	TestFlags []string
	// Limits bound each step; zero fields take DefaultLimits.
	Limits Limits
	// Runner runs every command; nil means a SandboxRunner over a
	// scratch repro.Sandbox.
	Runner Runner
	// WorkDir is where throwaway trees are made; empty means os.TempDir.
	WorkDir string
	// Progress, when set, is told as each check starts (done false, only
	// Name set) and ends (done true): a live display of the verification.
	Progress func(c Check, done bool)
}

// Limits bound the verifier's work.
type Limits struct {
	// Step is the wall-clock limit of one command or callback.
	Step time.Duration `json:"step"`
	// Memory is the address-space limit of each process, in bytes.
	Memory int64 `json:"memory"`
	// StressRuns is how often race-stress runs each test binary.
	StressRuns int `json:"stress_runs"`
	// StressCPUs are the -test.cpu (GOMAXPROCS) values of each run.
	StressCPUs []int `json:"stress_cpus"`
}

// DefaultLimits are five minutes a step, 4 GiB of address space a
// process, and three race-stress runs at GOMAXPROCS 1, 2 and 4.
func DefaultLimits() Limits {
	return Limits{Step: 5 * time.Minute, Memory: 4 << 30, StressRuns: 3, StressCPUs: []int{1, 2, 4}}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Step <= 0 {
		l.Step = d.Step
	}
	if l.Memory <= 0 {
		l.Memory = d.Memory
	}
	if l.StressRuns <= 0 {
		l.StressRuns = d.StressRuns
	}
	if len(l.StressCPUs) == 0 {
		l.StressCPUs = d.StressCPUs
	}
	return l
}

// Check is one verification step's outcome.
type Check struct {
	Name    string  `json:"name"`
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
	// Detail is a few lines: why it failed, or what it established.
	Detail string `json:"detail"`
	// Transcript is the whole record of a reproduction check (its
	// commands, exit codes, rate and the failing run's output), for the
	// PR's before-and-after replay; empty for other checks.
	Transcript string `json:"transcript,omitempty"`
}

// Result is the verdict on one candidate.
type Result struct {
	Candidate repair.Candidate `json:"candidate"`
	Verdict   string           `json:"verdict"`
	// Reason is the first failed check and its detail; empty when
	// verified.
	Reason string  `json:"reason,omitempty"`
	Checks []Check `json:"checks"`
	// LinesChanged counts the fix's added and deleted lines (the test
	// diff is not counted).
	LinesChanged int `json:"lines_changed"`
	// Locality is the share of the fix's counted lines inside the
	// implicated functions (see MinLocality).
	Locality float64 `json:"locality"`
	// Required are the checks that must pass or be not applicable for
	// this incident kind.
	Required []string `json:"required"`
	Seconds  float64  `json:"seconds"`
}

// Feedback turns a rejection into what a proposer is told on its next
// attempt; ok is false for a verified result.
func (r *Result) Feedback() (fb repair.Feedback, ok bool) {
	for _, c := range r.Checks {
		if c.Status == StatusFail || c.Status == StatusError {
			return repair.Feedback{Patch: r.Candidate.Patch, Check: c.Name, Detail: c.Detail}, true
		}
	}
	return repair.Feedback{}, false
}

// ConcurrencyKinds are the incident kinds whose fixes must survive
// race-stress.
var ConcurrencyKinds = map[string]bool{"deadlock": true, "blocked": true, "leak": true, "race": true, "timeout": true}

// RequiredChecks lists the checks a fix for an incident of kind must pass
// (or skip as not applicable: no reproduction, no Go code, no callback).
// Every kind requires all of them; concurrency kinds add race-stress.
func RequiredChecks(kind string) []string {
	req := []string{CheckApply, CheckLocality, CheckBuild, CheckAPI, CheckReproBefore, CheckReproAfter,
		CheckRegression, CheckSuite}
	if ConcurrencyKinds[kind] {
		req = append(req, CheckRaceStress)
	}
	return append(req, CheckNeighbours, CheckInvariants, CheckProof)
}

// Verify runs every check on one candidate and returns its verdict. The
// error is for a verifier that could not work at all (no repository, no
// room for a throwaway tree, ctx cancelled); a bad candidate is a rejected
// Result.
func Verify(ctx context.Context, in *Input) (*Result, error) {
	if in == nil || in.Repo == "" {
		return nil, errors.New("verify: no repository")
	}
	if fi, err := os.Stat(in.Repo); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("verify: repository %s is not a directory", in.Repo)
	}
	work, err := os.MkdirTemp(in.WorkDir, "tag-verify-")
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer os.RemoveAll(work)
	v := newRun(in, work)
	defer v.close()
	if v.runner == nil {
		sb, err := repro.NewScratchSandbox()
		if err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		v.boxes = append(v.boxes, sb)
		v.runner = SandboxRunner{Sandbox: sb}
	}
	start := time.Now()
	v.runSteps(ctx)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	v.res.Seconds = time.Since(start).Seconds()
	return v.res, nil
}

// run is one verification in progress.
type run struct {
	in     *Input
	lim    Limits
	runner Runner
	kind   string
	slice  []Location
	work   string
	before string // pristine copy; the regression test is added to it late
	after  string // patch and test applied
	boxes  []*repro.Sandbox
	patch  []*gitdiff.File
	test   []*gitdiff.File
	res    *Result
	// proved counts the red→green checks that passed.
	proved []string
	// transcripts are the reproduction checks' transcripts by check name.
	transcripts map[string]string
}

func newRun(in *Input, work string) *run {
	v := &run{in: in, lim: in.Limits.withDefaults(), runner: in.Runner, work: work}
	if in.Report != nil {
		v.kind = in.Report.Kind
	}
	v.slice = in.SliceFunctions
	if len(v.slice) == 0 {
		v.slice = SliceLocations(in.Report)
	}
	v.res = &Result{Candidate: in.Candidate, Required: RequiredChecks(v.kind)}
	return v
}

type step struct {
	name string
	run  func(ctx context.Context) (status, detail string)
}

// runSteps runs the checks in order, cheapest and most telling first;
// after the first failure the rest are recorded as not run.
func (v *run) runSteps(ctx context.Context) {
	steps := []step{
		{CheckApply, v.apply},
		{CheckLocality, v.locality},
		{CheckBuild, v.build},
		{CheckAPI, v.api},
		{CheckReproBefore, v.reproBefore},
		{CheckReproAfter, v.reproAfter},
		{CheckRegression, v.regression},
		{CheckSuite, v.suite},
		{CheckRaceStress, v.raceStress},
		{CheckNeighbours, v.neighbours},
		{CheckInvariants, v.invariants},
		{CheckProof, v.proof},
	}
	failed := ""
	for _, s := range steps {
		if failed != "" {
			v.res.Checks = append(v.res.Checks, Check{Name: s.name, Status: StatusSkip, Detail: "not run: " + failed + " failed"})
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if v.in.Progress != nil {
			v.in.Progress(Check{Name: s.name}, false)
		}
		t0 := time.Now()
		status, detail := s.run(ctx)
		v.res.Checks = append(v.res.Checks, Check{Name: s.name, Status: status, Seconds: roundSeconds(time.Since(t0)), Detail: detail,
			Transcript: v.transcripts[s.name]})
		if v.in.Progress != nil {
			v.in.Progress(v.res.Checks[len(v.res.Checks)-1], true)
		}
		if status == StatusFail || status == StatusError {
			failed = s.name
			v.res.Reason = s.name + ": " + firstLine(detail)
		}
	}
	v.res.Verdict = Verified
	if failed != "" {
		v.res.Verdict = Rejected
	}
}

func roundSeconds(d time.Duration) float64 {
	return float64(d.Milliseconds()) / 1000
}

// proof requires that something showed the failure gone.
func (v *run) proof(ctx context.Context) (string, string) {
	if len(v.proved) == 0 {
		return StatusFail, "nothing proves the fix: no reproduction went red→green and no regression test failed before and passed after"
	}
	return StatusPass, "red→green: " + joinList(v.proved)
}

// stepContext bounds a callback by the step limit.
func (v *run) stepContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, v.lim.Step)
}

// reproBefore runs the reproduction on the pristine tree: it must come
// back, or the red→green pair proves nothing.
func (v *run) reproBefore(ctx context.Context) (string, string) {
	if v.in.Reproduce == nil {
		return StatusSkip, "no reproduction available"
	}
	if err := v.ensureBefore(); err != nil {
		return StatusError, err.Error()
	}
	ctx, cancel := v.stepContext(ctx)
	defer cancel()
	got, transcript, err := v.in.Reproduce(ctx, v.before)
	v.keepTranscript(CheckReproBefore, transcript)
	switch {
	case err != nil:
		return StatusError, clip(err.Error()+"\n"+transcript, detailLines)
	case !got:
		return StatusFail, "the unpatched tree does not reproduce the failure, so a green after proves nothing\n" + clip(transcript, detailLines)
	}
	return StatusPass, "reproduced on the unpatched tree"
}

// reproAfter runs the reproduction on the patched tree: it must not come
// back.
func (v *run) reproAfter(ctx context.Context) (string, string) {
	if v.in.Reproduce == nil {
		return StatusSkip, "no reproduction available"
	}
	ctx, cancel := v.stepContext(ctx)
	defer cancel()
	got, transcript, err := v.in.Reproduce(ctx, v.after)
	v.keepTranscript(CheckReproAfter, transcript)
	switch {
	case err != nil:
		return StatusError, clip(err.Error()+"\n"+transcript, detailLines)
	case got:
		return StatusFail, "the failure still reproduces with the patch\n" + clip(transcript, detailLines)
	}
	v.proved = append(v.proved, "reproduction")
	return StatusPass, "no longer reproduces with the patch"
}

// transcriptLimit bounds a kept transcript (its tail is kept).
const transcriptLimit = 32 << 10

// keepTranscript records a reproduction check's transcript.
func (v *run) keepTranscript(check, transcript string) {
	if transcript == "" {
		return
	}
	if len(transcript) > transcriptLimit {
		transcript = "[…]\n" + transcript[len(transcript)-transcriptLimit:]
	}
	if v.transcripts == nil {
		v.transcripts = map[string]string{}
	}
	v.transcripts[check] = transcript
}

// neighbours replays healthy captures of the endpoint on the patched tree.
func (v *run) neighbours(ctx context.Context) (string, string) {
	if v.in.Neighbours == nil {
		return StatusSkip, "no healthy captures of the endpoint to replay"
	}
	ctx, cancel := v.stepContext(ctx)
	defer cancel()
	same, detail, err := v.in.Neighbours(ctx, v.after)
	return callbackStatus(same, detail, err, "healthy neighbours behave as before")
}

// invariants checks the mined invariants on the patched tree.
func (v *run) invariants(ctx context.Context) (string, string) {
	if v.in.Invariants == nil {
		return StatusSkip, "no invariants to check"
	}
	ctx, cancel := v.stepContext(ctx)
	defer cancel()
	hold, detail, err := v.in.Invariants(ctx, v.after)
	return callbackStatus(hold, detail, err, "invariants hold")
}

// ErrNotApplicable, returned (wrapped) by a Neighbours or Invariants
// callback, marks the check skipped rather than failed: there was nothing
// to check it against (no healthy captures, too few healthy traces). The
// error's text is the reason shown.
var ErrNotApplicable = errors.New("not applicable")

func callbackStatus(ok bool, detail string, err error, okText string) (string, string) {
	switch {
	case errors.Is(err, ErrNotApplicable):
		return StatusSkip, clip(err.Error(), detailLines)
	case err != nil:
		return StatusError, clip(err.Error()+"\n"+detail, detailLines)
	case !ok:
		return StatusFail, clip(detail, detailLines)
	case detail == "":
		return StatusPass, okText
	}
	return StatusPass, clip(detail, detailLines)
}

// ensureBefore makes the pristine copy once.
func (v *run) ensureBefore() error {
	if v.before != "" {
		return nil
	}
	dir, err := v.copyRepo()
	v.before = dir
	return err
}

// copyRepo makes a throwaway copy of the repository (repro.Sandbox: the
// user's tree is only read).
func (v *run) copyRepo() (string, error) {
	sb, err := repro.NewSandbox(v.in.Repo)
	if err != nil {
		return "", fmt.Errorf("copy the repository: %w", err)
	}
	v.boxes = append(v.boxes, sb)
	return sb.Dir, nil
}

// close removes the throwaway trees.
func (v *run) close() {
	for _, sb := range v.boxes {
		sb.Close()
	}
}
