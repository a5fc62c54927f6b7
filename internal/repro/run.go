package repro

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Cmd is a command to run in a sandbox.
type Cmd struct {
	// Args is the command line; Args[0] is looked up in Env's PATH.
	Args []string
	// Dir is the working directory, relative to the sandbox's Dir (or
	// absolute); "" is the sandbox's Dir.
	Dir string
	// Env is the complete environment; nil inherits TAG's own.
	Env []string
	// Stdin is written to the command's standard input, which is then
	// closed — unless StdinOpen, when it stays open until the command
	// ends (as under an interactive parent).
	Stdin     []byte
	StdinOpen bool
	// Timeout is the wall-clock limit (default: the sandbox's); on expiry
	// Dump runs, then the whole process group is killed.
	Timeout time.Duration
	// MemoryBytes caps the address space (RLIMIT_AS) of the command: 0 is
	// the sandbox's default, negative is no limit. It is not applied to
	// Go -race binaries by the stress driver: ThreadSanitizer reserves
	// terabytes of address space.
	MemoryBytes int64
	// GoMemLimit also sets GOMEMLIMIT to 3/4 of the limit, so Go children
	// collect before they hit it.
	GoMemLimit bool
	// AllowNetwork skips network isolation.
	AllowNetwork bool
	// Mock, when set, serves recorded responses on loopback inside the
	// command's network namespace.
	Mock *Mock
	// DumpOn, when its pattern shows up in the output, runs Dump and stops
	// the command as a timeout would, without waiting the timeout out.
	DumpOn *regexp.Regexp
	// Dump captures the state of the still-running processes (e.g. jstack)
	// before they are killed; pids are the group's members.
	Dump func(ctx context.Context, pids []int) string
	// OutputLimit bounds each of stdout and stderr (default 64 KiB, the tail).
	OutputLimit int
}

// RunResult is how a command ended.
type RunResult struct {
	Args         []string
	ExitCode     int    // -1 when killed by a signal
	Signal       string // the signal that ended it, if any
	Stdout       string // the last OutputLimit bytes
	Stderr       string
	StdoutSHA256 string // of the whole stream
	StderrSHA256 string
	Truncated    bool
	Duration     time.Duration
	// TimedOut: the wall-clock limit expired, or DumpOn matched (Triggered).
	TimedOut  bool
	Triggered bool
	// MemoryExceeded: the command failed for want of memory under the
	// limit (recognised from its death or its output; a heuristic).
	MemoryExceeded bool
	// Dump is what Cmd.Dump captured.
	Dump string
	// Isolated says whether the command ran without outbound network.
	Isolated bool
}

// Combined is stdout followed by stderr and the dump.
func (r *RunResult) Combined() string {
	var b strings.Builder
	b.WriteString(r.Stdout)
	if r.Stderr != "" {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(r.Stderr)
	}
	if r.Dump != "" {
		b.WriteString("\n--- dump ---\n")
		b.WriteString(r.Dump)
	}
	return b.String()
}

// CommandLine is Args quoted for a transcript.
func (r *RunResult) CommandLine() string { return quoteArgs(r.Args) }

// Run runs c inside the sandbox and waits for it. An error means the
// command could not be started; a failing command is a RunResult.
//
// How the limits are made, unprivileged and without cgroups:
//   - time: the command leads a new process group; on expiry (or when
//     DumpOn matches) Dump runs, then the whole group gets SIGKILL.
//   - memory: RLIMIT_AS, set by the helper (this binary re-executed with
//     TAG_REPRO_HELPER) on itself just before it execs the command, so no
//     allocation of the command escapes it. It caps address space, not
//     resident memory: see DefaultMemoryBytes.
//   - network: the helper is started with CLONE_NEWUSER|CLONE_NEWNET (what
//     `unshare --user --map-root-user --net` does), brings loopback up
//     with an ioctl, and serves c.Mock on 127.0.0.1 inside the namespace
//     before starting the command; nothing else is reachable. Where the
//     kernel refuses (DetectNetIsolation says why), the command runs with
//     TAG's network and drivers note "network isolation unavailable".
func (s *Sandbox) Run(ctx context.Context, c Cmd) (*RunResult, error) {
	if len(c.Args) == 0 {
		return nil, errors.New("sandbox: empty command")
	}
	dir := c.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(s.Dir, dir)
	}
	env := c.Env
	if env == nil {
		env = os.Environ()
	}
	mem := c.MemoryBytes
	if mem == 0 {
		mem = s.MemoryBytes
	}
	if mem > 0 && c.GoMemLimit && envValue(env, "GOMEMLIMIT") == "" {
		env = setEnv(append([]string{}, env...), "GOMEMLIMIT", strconv.FormatInt(mem/4*3, 10))
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = s.Timeout
	}
	cmd, isolated, stopMock, err := s.command(c, dir, env, mem)
	if err != nil {
		return nil, err
	}
	defer stopMock()
	res := &RunResult{Args: c.Args, Isolated: isolated}
	return res, s.wait(ctx, cmd, c, timeout, mem, res)
}

// command builds the process: the helper in a namespace when isolation is
// available, the helper alone for the memory limit, else the command.
func (s *Sandbox) command(c Cmd, dir string, env []string, mem int64) (*exec.Cmd, bool, func(), error) {
	noop := func() {}
	spec := helperSpec{Argv: c.Args, Env: env, Dir: dir, MemoryBytes: max(mem, 0)}
	isolate := !c.AllowNetwork && s.Net.Available
	if isolate {
		spec.LoopbackUp, spec.Mock = true, c.Mock
		cmd, err := helperCommand(s.nextSpec(), spec)
		if err != nil {
			return nil, false, noop, err
		}
		cmd.SysProcAttr = s.Net.attr()
		return cmd, true, noop, nil
	}
	stop := noop
	if c.Mock != nil {
		addr, closeFn, err := startMock(c.Mock)
		if err != nil {
			return nil, false, noop, err
		}
		spec.Env, stop = c.Mock.inject(env, addr), closeFn
	}
	if spec.MemoryBytes == 0 || !memoryLimits {
		cmd := exec.Command(c.Args[0], c.Args[1:]...)
		if bin, err := lookPathIn(c.Args[0], spec.Env); err == nil {
			cmd.Path, cmd.Err = bin, nil
		}
		cmd.Dir, cmd.Env, cmd.SysProcAttr = dir, spec.Env, plainAttr()
		return cmd, false, stop, nil
	}
	cmd, err := helperCommand(s.nextSpec(), spec)
	if err != nil {
		stop()
		return nil, false, noop, err
	}
	cmd.SysProcAttr = plainAttr()
	return cmd, false, stop, nil
}

// wait starts cmd and supervises it: output capture, the time limit, the
// dump trigger, cancellation.
func (s *Sandbox) wait(ctx context.Context, cmd *exec.Cmd, c Cmd, timeout time.Duration, mem int64, res *RunResult) error {
	stdout, stderr := newTailBuffer(c.OutputLimit), newTailBuffer(c.OutputLimit)
	trig := newTrigger(c.DumpOn)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(stdout, trig), io.MultiWriter(stderr, trig)
	closeStdin, err := attachStdin(cmd, c)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		closeStdin()
		return fmt.Errorf("sandbox: start %s: %w", c.Args[0], err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	pgid := cmd.Process.Pid
	exited := false
	select {
	case <-done:
		exited = true
	case <-timer.C:
		res.TimedOut = true
	case <-trig.fired:
		res.TimedOut, res.Triggered = true, true
	case <-ctx.Done():
	}
	if !exited {
		if res.TimedOut && c.Dump != nil {
			dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			res.Dump = c.Dump(dctx, groupMembers(pgid))
			cancel()
		}
		killGroup(pgid)
		<-done
	}
	closeStdin()
	// Stragglers that left the group's leader behind.
	killGroup(pgid)
	res.Duration = time.Since(start)
	res.Stdout, res.Stderr = stdout.String(), stderr.String()
	res.StdoutSHA256, res.StderrSHA256 = stdout.digest(), stderr.digest()
	res.Truncated = stdout.truncated() || stderr.truncated()
	fillExit(res, cmd)
	if msg, ok := helperFailure(cmd, res); ok {
		return fmt.Errorf("sandbox: start %s: %s", c.Args[0], msg)
	}
	res.MemoryExceeded = mem > 0 && !res.TimedOut && looksOutOfMemory(res)
	if ctx.Err() != nil && !res.TimedOut {
		return ctx.Err()
	}
	return nil
}

// attachStdin connects c.Stdin; the returned func closes what stays open.
func attachStdin(cmd *exec.Cmd, c Cmd) (func(), error) {
	if !c.StdinOpen {
		if len(c.Stdin) > 0 {
			cmd.Stdin = strings.NewReader(string(c.Stdin))
		}
		return func() {}, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin = r
	go func() { w.Write(c.Stdin) }()
	return func() { r.Close(); w.Close() }, nil
}

// fillExit records the exit code or the signal.
func fillExit(res *RunResult, cmd *exec.Cmd) {
	res.ExitCode = -1
	if cmd.ProcessState == nil {
		return
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.Signal = ws.Signal().String()
		return
	}
	res.ExitCode = cmd.ProcessState.ExitCode()
}

// helperFailure recognises the helper's own failure to start the
// command (not found, bad directory, limit refused).
func helperFailure(cmd *exec.Cmd, res *RunResult) (string, bool) {
	const prefix = "tag repro helper: "
	if len(cmd.Args) == 0 || cmd.Args[0] != helperArg0 || res.ExitCode != 127 || !strings.HasPrefix(res.Stderr, prefix) {
		return "", false
	}
	return strings.TrimSpace(strings.TrimPrefix(res.Stderr, prefix)), true
}

// oomMarkers are what runtimes print when an allocation fails.
var oomMarkers = []string{"MemoryError", "out of memory", "OutOfMemoryError", "Cannot allocate memory", "std::bad_alloc", "memory allocation failed", "Could not reserve enough space", "JavaScript heap out of memory"}

func looksOutOfMemory(res *RunResult) bool {
	if res.ExitCode == 0 {
		return false
	}
	out := res.Stdout + res.Stderr
	for _, m := range oomMarkers {
		if strings.Contains(out, m) {
			return true
		}
	}
	return res.Signal == syscall.SIGKILL.String()
}

// trigger fires once when its pattern appears in the output.
type trigger struct {
	re    *regexp.Regexp
	win   *tailBuffer
	fired chan struct{}
	done  bool
}

func newTrigger(re *regexp.Regexp) *trigger {
	return &trigger{re: re, win: newTailBuffer(8 << 10), fired: make(chan struct{})}
}

func (t *trigger) Write(p []byte) (int, error) {
	if t.re == nil {
		return len(p), nil
	}
	t.win.Write(p)
	t.win.mu.Lock()
	defer t.win.mu.Unlock()
	if !t.done && t.re.Match(t.win.buf) {
		t.done = true
		close(t.fired)
	}
	return len(p), nil
}

// quoteArgs renders argv for a transcript, quoting what a shell would split.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`*?[]{}()<>|&;#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
