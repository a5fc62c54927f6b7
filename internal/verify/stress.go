package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// raceStress builds each changed package's test binary once with -race
// and runs it StressRuns times, each run at every GOMAXPROCS of
// StressCPUs. Any race report, deadlock timeout or failure fails the
// check. It applies to concurrency kinds only.
func (v *run) raceStress(ctx context.Context) (string, string) {
	if !ConcurrencyKinds[v.kind] {
		return StatusSkip, "not a concurrency incident (kind " + orNone(v.kind) + ")"
	}
	mods := goModules(v.after, v.changedFiles())
	if len(mods) == 0 {
		return StatusSkip, "no Go package changed: no race detector to run"
	}
	dir := filepath.Join(v.work, "stress")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return StatusError, err.Error()
	}
	var cpus []string
	for _, c := range v.lim.StressCPUs {
		cpus = append(cpus, strconv.Itoa(c))
	}
	binaries := 0
	for _, m := range mods {
		for i, pkg := range m.pkgs {
			bin := filepath.Join(dir, fmt.Sprintf("%d.test", binaries))
			o, err := v.goRun(ctx, m.root, true, "test", "-trimpath", "-c", "-race", "-o", bin, pkg)
			if st, d := outcomeStatus("go test -c -race "+pkg, o, err); st != StatusPass {
				return st, d
			}
			if _, err := os.Stat(bin); err != nil {
				continue // no test files
			}
			binaries++
			if st, d := v.stressRuns(ctx, bin, m.dirs[i], pkg, strings.Join(cpus, ",")); st != StatusPass {
				return st, d
			}
		}
	}
	if binaries == 0 {
		return StatusSkip, "the changed packages have no tests to stress"
	}
	return StatusPass, fmt.Sprintf("%d package(s) × %d runs × -cpu %s under -race: clean", binaries, v.lim.StressRuns, strings.Join(cpus, ","))
}

func (v *run) stressRuns(ctx context.Context, bin, dir, pkg, cpus string) (string, string) {
	args := []string{bin, "-test.count=1", "-test.cpu=" + cpus, "-test.timeout=" + v.lim.Step.String()}
	if len(v.in.ExpectFlip) > 0 {
		args = append(args, "-test.skip="+testPattern(v.in.ExpectFlip...))
	}
	args = append(args, binaryFlags(v.in.TestFlags)...)
	for i := range v.lim.StressRuns {
		c := Cmd{Dir: dir, Args: args, Env: append(goEnv(true), "GORACE=halt_on_error=1"), Timeout: v.lim.Step + v.lim.Step/10}
		o, err := v.runner.Run(ctx, c)
		if err != nil {
			return StatusError, err.Error()
		}
		if o.ExitCode != 0 || strings.Contains(o.Output, "WARNING: DATA RACE") {
			return StatusFail, fmt.Sprintf("%s, run %d of %d (-cpu %s): %s\n%s", pkg, i+1, v.lim.StressRuns, cpus,
				stressVerdict(o), raceReport(o.Output))
		}
	}
	return StatusPass, ""
}

func stressVerdict(o Outcome) string {
	switch {
	case strings.Contains(o.Output, "WARNING: DATA RACE"):
		return "data race"
	case o.TimedOut || strings.Contains(o.Output, "panic: test timed out"):
		return "timed out (deadlock or livelock?)"
	}
	return "exit " + strconv.Itoa(o.ExitCode)
}

// raceReport keeps the head of the first race report (its two stacks are
// what a reader needs), or the tail of other output.
func raceReport(out string) string {
	i := strings.Index(out, "WARNING: DATA RACE")
	if i < 0 {
		return clip(out, detailLines)
	}
	lines := strings.Split(out[i:], "\n")
	var keep []string
	for _, l := range lines {
		if strings.HasPrefix(l, "==================") || len(keep) >= detailLines {
			break
		}
		if strings.TrimSpace(l) != "" {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
