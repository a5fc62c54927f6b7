package repro

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Outcome classifies one run of a test.
type Outcome string

// Outcomes of a stress run, in the order Classify tests for them.
const (
	OutcomePass     Outcome = "pass"
	OutcomeRace     Outcome = "race"     // WARNING: DATA RACE
	OutcomeDeadlock Outcome = "deadlock" // test timeout dump, or all goroutines asleep
	OutcomeLeak     Outcome = "leak"     // failed, and says "goroutine leak" or "found unexpected goroutines"
	OutcomeFail     Outcome = "fail"     // any other failure
)

// ErrNoSuchTest is returned when the test pattern matches no test.
var ErrNoSuchTest = errors.New("no test matches")

// StressOptions configure Stress. Zero values take the defaults named.
type StressOptions struct {
	Incident string
	// Pkg is the package directory, relative to the sandbox (e.g.
	// "./internal/ledger"); Test is the test's name (a regexp, anchored).
	Pkg  string
	Test string
	// CPUs are the -test.cpu / GOMAXPROCS values cycled through (default
	// 1, 2, 4 and the machine's count).
	CPUs []int
	// TestTimeout is -test.timeout per run (default 10s): a deadlocked
	// test dumps its goroutines when it expires.
	TestTimeout time.Duration
	// The budget: at most MaxRuns runs (default 30) and MaxTime (default
	// 60s) of wall time; stop early after StopAfter failures (default 3).
	MaxRuns   int
	MaxTime   time.Duration
	StopAfter int
	// Want are the outcomes that count as the failure coming back
	// (default: any but pass).
	Want []Outcome
	// Env is added to TAG's environment for the runs.
	Env []string
	// Scrub redacts everything the result carries.
	Scrub Scrubber
}

func (o *StressOptions) defaults() {
	if len(o.CPUs) == 0 {
		o.CPUs = slices.Compact(slices.Sorted(slices.Values([]int{1, 2, 4, runtime.NumCPU()})))
	}
	if o.TestTimeout <= 0 {
		o.TestTimeout = 10 * time.Second
	}
	if o.MaxRuns <= 0 {
		o.MaxRuns = 30
	}
	if o.MaxTime <= 0 {
		o.MaxTime = time.Minute
	}
	if o.StopAfter <= 0 {
		o.StopAfter = 3
	}
	if o.Pkg == "" {
		o.Pkg = "."
	}
}

// Stress builds the test binary of opts.Pkg once with -race and runs
// opts.Test repeatedly, cycling the CPU count, until the budget is spent
// or the failure came back StopAfter times. It reports the rate k of n,
// the runs needed to see the failure with 99% confidence, and the output
// (goroutine dump, race report) of the first failing run.
func Stress(ctx context.Context, sb *Sandbox, opts StressOptions) (*Result, error) {
	opts.defaults()
	start := time.Now()
	r := newResult(opts.Incident, "stress")
	r.Outcomes = map[string]int{}
	sb.isolationNotes(r)
	r.note("memory limit: not applied to -race test binaries (ThreadSanitizer reserves terabytes of address space)")
	bin, err := sb.buildTest(ctx, opts, r)
	if err != nil {
		return r.finish(start, opts.Scrub), err
	}
	for i := 0; i < opts.MaxRuns && time.Since(start) < opts.MaxTime && r.Failures < opts.StopAfter; i++ {
		cpu := opts.CPUs[i%len(opts.CPUs)]
		res, err := sb.Run(ctx, stressCmd(bin, opts, cpu))
		if err != nil {
			return r.finish(start, opts.Scrub), err
		}
		out := res.Combined()
		if strings.Contains(out, "testing: warning: no tests to run") {
			return r.finish(start, opts.Scrub), fmt.Errorf("stress %s: %w %q", opts.Pkg, ErrNoSuchTest, opts.Test)
		}
		got := Classify(res.ExitCode, res.TimedOut, out)
		r.Runs++
		r.Outcomes[string(got[0])]++
		hit := wanted(got, opts.Want)
		r.step(res.CommandLine()+" # GOMAXPROCS="+strconv.Itoa(cpu)+" → "+string(got[0]), res, hit && r.Failures == 0)
		if hit {
			if r.Failures == 0 {
				r.Dump, r.Signature = out, string(firstWanted(got, opts.Want))
			}
			r.Failures++
		}
	}
	if r.Failures > 0 {
		r.ReliableN = ReliableRuns(float64(r.Failures)/float64(r.Runs), 0.99)
	} else if len(opts.Want) > 0 {
		r.Signature = string(opts.Want[0])
	}
	return r.finish(start, opts.Scrub), ctx.Err()
}

// stressCmd is one run of the test binary at cpu.
func stressCmd(bin string, opts StressOptions, cpu int) Cmd {
	env := append(append(os.Environ(), opts.Env...), "GOMAXPROCS="+strconv.Itoa(cpu))
	return Cmd{
		Args: []string{bin, "-test.run", "^(" + opts.Test + ")$", "-test.count=1",
			"-test.cpu=" + strconv.Itoa(cpu), "-test.timeout=" + opts.TestTimeout.String(), "-test.v"},
		Dir:         opts.Pkg,
		Env:         env,
		Timeout:     opts.TestTimeout + 30*time.Second,
		MemoryBytes: -1,
		OutputLimit: 1 << 20,
	}
}

// buildTest compiles the package's test binary with -race into the
// sandbox's control directory, once per package.
func (s *Sandbox) buildTest(ctx context.Context, opts StressOptions, r *Result) (string, error) {
	bin := s.ctlPath(strings.Trim(strings.NewReplacer("/", "_", ".", "_").Replace(filepath.Clean(opts.Pkg)), "_") + ".race.test")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// -trimpath: sandboxes live at new paths each time; without it every
	// package of the module would be compiled again instead of coming from
	// the build cache.
	res, err := s.Run(ctx, Cmd{Args: []string{"go", "test", "-trimpath", "-c", "-race", "-o", bin, "."}, Dir: opts.Pkg, Timeout: 5 * time.Minute, MemoryBytes: -1})
	if err != nil {
		return "", err
	}
	r.step(res.CommandLine(), res, res.ExitCode != 0)
	if res.ExitCode != 0 {
		return "", fmt.Errorf("stress: building %s: exit %d: %s", opts.Pkg, res.ExitCode, strings.TrimSpace(tail(res.Combined(), 2000)))
	}
	return bin, nil
}

var (
	reDeadlock = regexp.MustCompile(`panic: test timed out after|all goroutines are asleep - deadlock`)
	reLeak     = regexp.MustCompile(`(?i)goroutine leak|found unexpected goroutines`)
)

// Classify names what a test run's exit and output show, most specific
// first: a run can show several (a race report and then a timeout). The
// first element is the run's outcome.
func Classify(exit int, timedOut bool, output string) []Outcome {
	var got []Outcome
	if strings.Contains(output, "WARNING: DATA RACE") {
		got = append(got, OutcomeRace)
	}
	if reDeadlock.MatchString(output) || timedOut {
		got = append(got, OutcomeDeadlock)
	}
	if exit != 0 && reLeak.MatchString(output) {
		got = append(got, OutcomeLeak)
	}
	if exit != 0 || timedOut {
		got = append(got, OutcomeFail)
	}
	if len(got) == 0 {
		return []Outcome{OutcomePass}
	}
	return got
}

// wanted reports whether a run's outcomes include a wanted one (any
// failure when want is empty).
func wanted(got, want []Outcome) bool { return firstWanted(got, want) != "" }

func firstWanted(got, want []Outcome) Outcome {
	for _, g := range got {
		if g != OutcomePass && (len(want) == 0 || slices.Contains(want, g)) {
			return g
		}
	}
	return ""
}

// ReliableRuns is the number of runs that see a failure of per-run
// probability p at least once with the given confidence:
// ceil(log(1-confidence) / log(1-p)). It is 0 for p <= 0 and 1 for p >= 1.
func ReliableRuns(p, confidence float64) int {
	switch {
	case p <= 0:
		return 0
	case p >= 1:
		return 1
	}
	return int(math.Ceil(math.Log(1-confidence) / math.Log(1-p)))
}

// isolationNotes says once what isolation the sandbox could not give.
func (s *Sandbox) isolationNotes(r *Result) {
	if !s.Net.Available {
		r.note("network isolation unavailable: %s", s.Net.Reason)
	}
}
