package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tagdebug/tag/internal/repro"
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

// SandboxRunner runs commands through a repro.Sandbox: a process group
// killed as a whole at the time limit, RLIMIT_AS, and a user and network
// namespace with loopback only where the kernel allows (see
// repro.DetectNetIsolation). Commands may run in any directory, not only
// the sandbox's own copy.
type SandboxRunner struct {
	Sandbox *repro.Sandbox
}

// Run implements Runner.
func (r SandboxRunner) Run(ctx context.Context, c Cmd) (Outcome, error) {
	if len(c.Args) == 0 {
		return Outcome{}, errors.New("verify: empty command")
	}
	mem := c.Memory
	if mem <= 0 {
		mem = -1 // none: repro reads 0 as its default
	}
	res, err := r.Sandbox.Run(ctx, repro.Cmd{Args: c.Args, Dir: c.Dir, Env: append(os.Environ(), c.Env...),
		Timeout: c.Timeout, MemoryBytes: mem, OutputLimit: MaxOutput})
	if err != nil {
		return Outcome{}, fmt.Errorf("verify: run %s: %w", c.Args[0], err)
	}
	return Outcome{Output: res.Combined(), ExitCode: res.ExitCode, TimedOut: res.TimedOut}, nil
}

var _ Runner = SandboxRunner{}
