package repro

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

// ReplayOptions configure Replay.
type ReplayOptions struct {
	Incident string
	// Runs is how many times to run the process (default 1); flaky
	// failures report their rate over them.
	Runs int
	// Timeout and MemoryBytes override the capsule's limits when set.
	Timeout     time.Duration
	MemoryBytes int64
	// Scrub redacts everything the result carries.
	Scrub Scrubber
}

// Replay runs a process capsule Runs times, each in a fresh directory
// holding its files, with exactly its environment (plus PATH and HOME,
// the throwaway directory), TZ, locale and stdin, under the time and
// memory limits and without network, its recorded responses served on
// loopback. A run reproduces when the signature shows in its output or
// dump (when the capsule has none: when it ends as recorded, with a
// failure); it is exact when the exit status and output digests match
// the recording too.
func Replay(ctx context.Context, c *ProcessCapsule, opts ReplayOptions) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("capsule: %w", err)
	}
	start := time.Now()
	sig, _ := regexp.Compile(c.Signature)
	r := newResult(opts.Incident, "process")
	r.Signature = c.Signature
	tools := make([]string, 0, len(c.Environment.Tools))
	for t := range c.Environment.Tools {
		tools = append(tools, t)
	}
	r.Drift = c.Environment.Drift(CaptureEnvironment(ctx, tools...))
	sb, err := NewScratchSandbox()
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	sb.isolationNotes(r)
	if c.Network != nil && !sb.Net.Available {
		r.note("recorded responses served on TAG's own loopback: the process could also reach the network")
	}
	for i := 0; i < max(opts.Runs, 1); i++ {
		res, err := replayOnce(ctx, sb, c, opts, i)
		if err != nil {
			return r.finish(start, opts.Scrub), err
		}
		r.Runs++
		hit := reproduces(c, sig, res)
		r.step(res.CommandLine(), res, hit && r.Failures == 0 || i == 0 && !hit)
		if res.MemoryExceeded {
			r.note("run %d stopped by the memory limit", i+1)
		}
		if hit {
			if r.Failures == 0 {
				r.Dump = res.Combined()
			}
			r.Failures++
			r.Exact = r.Exact || exact(c, res)
		}
	}
	if r.Failures > 0 {
		r.ReliableN = ReliableRuns(float64(r.Failures)/float64(r.Runs), 0.99)
	}
	return r.finish(start, opts.Scrub), ctx.Err()
}

// replayOnce writes the files into run-N and runs the process there.
func replayOnce(ctx context.Context, sb *Sandbox, c *ProcessCapsule, opts ReplayOptions, i int) (*RunResult, error) {
	root := filepath.Join(sb.Dir, "run-"+strconv.Itoa(i+1))
	if err := writeCapsuleFiles(root, c.Files); err != nil {
		return nil, err
	}
	cmd, err := c.cmd(root, opts)
	if err != nil {
		return nil, err
	}
	return sb.Run(ctx, cmd)
}

// writeCapsuleFiles materialises the capsule's files under root.
func writeCapsuleFiles(root string, files []CapsuleFile) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		data, err := decodeContent(f.Content, f.Encoding)
		if err != nil {
			return fmt.Errorf("capsule file %s: %w", f.Path, err)
		}
		full := filepath.Join(root, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		mode := os.FileMode(f.Mode).Perm()
		if mode == 0 {
			mode = 0o644
		}
		if err := os.WriteFile(full, data, mode); err != nil {
			return err
		}
		os.Chmod(full, mode)
	}
	return nil
}

// cmd is the sandbox command for a capsule rooted at root.
func (c *ProcessCapsule) cmd(root string, opts ReplayOptions) (Cmd, error) {
	stdin, err := decodeContent(c.Stdin, c.StdinEncoding)
	if err != nil {
		return Cmd{}, err
	}
	timeout := time.Duration(c.TimeoutMS) * time.Millisecond
	if opts.Timeout > 0 {
		timeout = opts.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultProcessTimeout
	}
	mem := c.MemoryMB << 20
	if opts.MemoryBytes != 0 {
		mem = opts.MemoryBytes
	}
	if mem == 0 {
		mem = DefaultMemoryBytes
	}
	cmd := Cmd{
		Args:        append([]string{c.Command}, c.Args...),
		Dir:         filepath.Join(root, filepath.FromSlash(c.Dir)),
		Env:         c.environ(root),
		Stdin:       stdin,
		StdinOpen:   c.StdinOpen,
		Timeout:     timeout,
		MemoryBytes: mem,
		Mock:        c.Network,
		Dump:        dumper(c.onTimeout()),
	}
	if c.DumpOn != "" {
		cmd.DumpOn = regexp.MustCompile(c.DumpOn)
	}
	return cmd, nil
}

// onTimeout is the dumper, jstack by default for a java command.
func (c *ProcessCapsule) onTimeout() string {
	if c.OnTimeout == "" && filepath.Base(c.Command) == "java" {
		return DumpJStack
	}
	return c.OnTimeout
}

// environ is the process's whole environment: the capsule's variables,
// the pinned TZ and locale, the replay machine's PATH and a HOME inside
// the throwaway directory.
func (c *ProcessCapsule) environ(root string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root}
	if c.TZ != "" {
		env = append(env, "TZ="+c.TZ)
	}
	if c.Locale != "" {
		env = append(env, "LANG="+c.Locale, "LC_ALL="+c.Locale)
	}
	for k, v := range c.Env {
		env = setEnv(env, k, v)
	}
	return env
}

// reproduces reports whether a run shows the recorded failure.
func reproduces(c *ProcessCapsule, sig *regexp.Regexp, res *RunResult) bool {
	if c.Signature != "" {
		return sig.MatchString(res.Stdout) || sig.MatchString(res.Stderr) || sig.MatchString(res.Dump)
	}
	failed := c.Expected.Exit != 0 || c.Expected.TimedOut || c.Expected.Signal != ""
	return failed && sameEnd(c, res)
}

// sameEnd reports whether a run ended as the recorded one did.
func sameEnd(c *ProcessCapsule, res *RunResult) bool {
	if c.Expected.TimedOut || res.TimedOut {
		return c.Expected.TimedOut == res.TimedOut
	}
	return c.Expected.Exit == res.ExitCode && c.Expected.Signal == res.Signal
}

// exact reports whether the run's end and output digests match the recording.
func exact(c *ProcessCapsule, res *RunResult) bool {
	return sameEnd(c, res) && c.Expected.StdoutSHA256 == res.StdoutSHA256 && c.Expected.StderrSHA256 == res.StderrSHA256
}
