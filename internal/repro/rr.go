package repro

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// RRStatus says whether rr can record on this machine, and if not why,
// in one line.
type RRStatus struct {
	Available bool   `json:"available"`
	Binary    string `json:"binary,omitempty"`
	Version   string `json:"version,omitempty"`
	Paranoid  int    `json:"perf_event_paranoid"` // -99 when unreadable
	Reason    string `json:"reason,omitempty"`
}

// ErrRRUnavailable is returned by RecordRR when rr cannot record here;
// the caller falls back to another driver.
var ErrRRUnavailable = errors.New("rr cannot record")

// DetectRR checks for the rr binary, reads kernel.perf_event_paranoid and
// probes `rr record true` (bounded to 20 seconds), turning its failure
// into one line of reason.
func DetectRR(ctx context.Context) RRStatus {
	st := RRStatus{Paranoid: perfParanoid()}
	bin, err := exec.LookPath("rr")
	if err != nil {
		st.Reason = "rr not installed"
		return st
	}
	st.Binary = bin
	st.Version = toolVersion(ctx, bin)
	dir, err := os.MkdirTemp("", "tag-rr-probe-")
	if err != nil {
		st.Reason = err.Error()
		return st
	}
	defer os.RemoveAll(dir)
	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(pctx, bin, "record", "true")
	cmd.Env = append(os.Environ(), "_RR_TRACE_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		st.Available = true
		return st
	}
	if pctx.Err() != nil {
		st.Reason = "probe `rr record true` did not finish in 20s"
		return st
	}
	st.Reason = rrReason(string(out), st.Paranoid)
	return st
}

// perfParanoid reads /proc/sys/kernel/perf_event_paranoid.
func perfParanoid() int {
	b, err := os.ReadFile("/proc/sys/kernel/perf_event_paranoid")
	if err != nil {
		return -99
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -99
	}
	return n
}

var rrFatalPrefix = regexp.MustCompile(`^\[(FATAL|ERROR)[^\]]*\]\s*`)

// rrReason turns the output of a failed `rr record` into one line.
func rrReason(out string, paranoid int) string {
	low := strings.ToLower(out)
	switch {
	case strings.Contains(low, "perf_event_paranoid"):
		return fmt.Sprintf("kernel.perf_event_paranoid is %d; rr needs 1 or less", paranoid)
	case strings.Contains(low, "unable to open performance counter"), strings.Contains(low, "perf_event_open"):
		return "no hardware performance counters (perf_event_open failed: a VM or container without a virtual PMU)"
	case strings.Contains(low, "microarchitecture"), strings.Contains(low, "cpu") && strings.Contains(low, "not supported"):
		return "this CPU is not supported by rr"
	case strings.Contains(low, "ptrace") && (strings.Contains(low, "permission") || strings.Contains(low, "not permitted")):
		return "ptrace is not permitted here (seccomp or yama)"
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(rrFatalPrefix.ReplaceAllString(strings.TrimSpace(lines[i]), "")); l != "" {
			return "rr record failed: " + l
		}
	}
	return "rr record failed without output"
}

// RROptions configure RecordRR.
type RROptions struct {
	Incident string
	// Signature is a regexp for the failure in the replayed output.
	Signature string
	// Timeout bounds the recording and the replay each (default 5 min).
	Timeout time.Duration
	// Scrub redacts everything the result carries.
	Scrub Scrubber
}

// RecordRR records cmd under rr in the sandbox and replays the recording
// with `rr replay -a`: the replay is deterministic, so a failure seen in
// it is reproduced every time. Where rr cannot record, it returns the
// result with a one-line note ("rr: cannot record: …") and an error
// wrapping ErrRRUnavailable, for the caller to fall back.
func RecordRR(ctx context.Context, sb *Sandbox, cmd Cmd, opts RROptions) (*Result, error) {
	start := time.Now()
	r := newResult(opts.Incident, "rr")
	r.Signature = opts.Signature
	sig, err := regexp.Compile(opts.Signature)
	if err != nil {
		return nil, fmt.Errorf("rr: signature: %w", err)
	}
	st := DetectRR(ctx)
	if !st.Available {
		r.note("rr: cannot record: %s", st.Reason)
		return r.finish(start, opts.Scrub), fmt.Errorf("%w: %s", ErrRRUnavailable, st.Reason)
	}
	sb.isolationNotes(r)
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	trace := sb.ctlPath("rr-trace")
	rec := cmd
	rec.Args = append([]string{st.Binary, "record", "-o", trace}, cmd.Args...)
	rec.Timeout, rec.MemoryBytes = timeout, -1
	res, err := sb.Run(ctx, rec)
	if err != nil {
		return r.finish(start, opts.Scrub), err
	}
	r.step(res.CommandLine(), res, true)
	rep := Cmd{Args: []string{st.Binary, "replay", "-a", trace}, Env: cmd.Env, Timeout: timeout, MemoryBytes: -1}
	res, err = sb.Run(ctx, rep)
	if err != nil {
		return r.finish(start, opts.Scrub), err
	}
	r.step(res.CommandLine(), res, true)
	r.Runs = 1
	if opts.Signature != "" && sig.MatchString(res.Combined()) {
		r.Failures, r.Dump = 1, res.Combined()
	}
	return r.finish(start, opts.Scrub), nil
}
