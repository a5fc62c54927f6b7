package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Cmd is one command to run inside a throwaway tree.
type Cmd struct {
	// Dir is the working directory, inside a throwaway tree.
	Dir string
	// Args is the program and its arguments.
	Args []string
	// Env is added to the verifier's own environment (later wins).
	Env []string
	// Timeout is the wall-clock limit; zero means the Limits default.
	Timeout time.Duration
	// Memory is the per-process address-space limit in bytes; zero means
	// none (race-detector binaries map terabytes of shadow memory, so they
	// run with the time limit alone).
	Memory int64
}

// Outcome is what a command did.
type Outcome struct {
	// Output is the combined standard output and error, cut to its last
	// MaxOutput bytes.
	Output string
	// ExitCode is the process's exit status (-1 when it was killed).
	ExitCode int
	// TimedOut says the wall-clock limit killed it.
	TimedOut bool
}

// MaxOutput bounds the output a Runner keeps of one command.
const MaxOutput = 8 << 20

// Runner runs commands isolated from the user's machine. Implementations
// apply the command's time and memory limits, kill every process the
// command started when it ends or ctx is cancelled, and cut the network
// where the OS allows. The error is non-nil only when the command could
// not be run at all; a command that fails is an Outcome with a non-zero
// ExitCode.
type Runner interface {
	Run(ctx context.Context, c Cmd) (Outcome, error)
}

// LocalRunner is the built-in Runner: a process group killed as a whole,
// prlimit for the address-space limit, and a fresh network namespace with
// only loopback (unshare) when the kernel lets this user make one. Without
// unshare or prlimit it degrades to the time limit alone and says so in
// Isolation.
type LocalRunner struct{}

// Run implements Runner.
func (LocalRunner) Run(ctx context.Context, c Cmd) (Outcome, error) {
	if len(c.Args) == 0 {
		return Outcome{}, errors.New("verify: empty command")
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultLimits().Step
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	argv := isolate(c)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	out := &tailBuffer{max: MaxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	ownProcessGroup(cmd)
	err := cmd.Run()
	killGroup(cmd)
	o := Outcome{Output: out.String(), ExitCode: cmd.ProcessState.ExitCode(), TimedOut: ctx.Err() == context.DeadlineExceeded}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) && !o.TimedOut && ctx.Err() == nil {
		return o, fmt.Errorf("verify: run %s: %w", c.Args[0], err)
	}
	return o, nil
}

// isolate wraps argv with the limits the machine can enforce.
func isolate(c Cmd) []string {
	tools := probeIsolation()
	var argv []string
	if len(tools.unshare) > 0 {
		// A new network namespace has loopback down; tests that listen on
		// 127.0.0.1 need it up. Nothing else is reachable.
		argv = append(argv, tools.unshare...)
		argv = append(argv, "sh", "-c", `ip link set lo up 2>/dev/null; exec "$@"`, "verify-sandbox")
	}
	if c.Memory > 0 && tools.prlimit != "" {
		argv = append(argv, tools.prlimit, "--as="+strconv.FormatInt(c.Memory, 10), "--")
	}
	return append(argv, c.Args...)
}

// isolation is what the machine offers, probed once.
type isolation struct {
	unshare []string // e.g. ["unshare", "-n", "--"]; empty when unavailable
	prlimit string
}

var (
	isolationOnce sync.Once
	isolationSeen isolation
)

func probeIsolation() isolation {
	isolationOnce.Do(func() {
		if p, err := exec.LookPath("prlimit"); err == nil {
			isolationSeen.prlimit = p
		}
		u, err := exec.LookPath("unshare")
		if err != nil {
			return
		}
		for _, flags := range [][]string{{"-n"}, {"-r", "-n"}} {
			probe := append(append([]string{}, flags...), "true")
			if exec.Command(u, probe...).Run() == nil {
				isolationSeen.unshare = append(append([]string{u}, flags...), "--")
				return
			}
		}
	})
	return isolationSeen
}

// Isolation says which limits LocalRunner can enforce on this machine.
func Isolation() string {
	t := probeIsolation()
	net, mem := "network: not isolated (no unshare)", "memory: not limited (no prlimit)"
	if len(t.unshare) > 0 {
		net = "network: own namespace, loopback only"
	}
	if t.prlimit != "" {
		mem = "memory: address-space limit per process (prlimit)"
	}
	return "time: process-group kill; " + mem + "; " + net
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
	cut bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
		t.cut = true
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut {
		return "[output cut]\n" + t.buf.String()
	}
	return t.buf.String()
}

var _ Runner = LocalRunner{}

// environ is the verifier's own environment, for tools run in process.
func environ() []string { return os.Environ() }
