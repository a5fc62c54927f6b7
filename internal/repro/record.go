package repro

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EnvAllowlist names the variables a recording keeps (a trailing * is a
// prefix): ones that change how runtimes behave, never credentials.
var EnvAllowlist = []string{
	"LANG", "LC_*", "TZ",
	"PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONDONTWRITEBYTECODE", "PYTHONOPTIMIZE",
	"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS",
	"NODE_OPTIONS", "NODE_ENV",
	"GOMAXPROCS", "GODEBUG", "GOGC", "GOMEMLIMIT", "GOTRACEBACK",
}

// RecordOptions configure Record.
type RecordOptions struct {
	// Dir is where the command runs and files are taken from (default:
	// the current directory).
	Dir string
	// Files are globs, relative to Dir, of working files to capture. With
	// none, the arguments that name files in Dir are captured.
	Files []string
	// Env names more variables to keep, beyond EnvAllowlist.
	Env []string
	// Stdin is the process's input; StdinOpen keeps it open afterwards.
	Stdin     []byte
	StdinOpen bool
	// Timeout (default one minute) and MemoryBytes bound the run;
	// OnTimeout names the dumper ("jstack", "sigquit"; java gets jstack).
	Timeout     time.Duration
	MemoryBytes int64
	OnTimeout   string
	// DumpOn is a regexp: when the output shows it, dump and stop.
	DumpOn string
	// Signature is a regexp for the failure; empty guesses one from the
	// output (a Java deadlock, an XxxError/XxxException, a Go panic).
	Signature string
	// Network holds responses to serve to the process, recorded elsewhere.
	Network *Mock
	// RecordURLEnv names variables holding base URLs (e.g. API_URL) whose
	// traffic is recorded: the process is pointed at a loopback proxy to
	// the real upstream, and the answers (credentials headers dropped,
	// the rest through Scrub) go into the capsule for replay. The recorded
	// run then has network access, through the proxy only by intent.
	RecordURLEnv []string
	// Output, when set, is where the capsule is written.
	Output string
	// Scrub vets captured variable values: one it changes is dropped.
	Scrub Scrubber
}

// ErrNoFailure is returned by Record, with the capsule, when the recorded
// run showed no failure: it exited 0 and no signature was seen.
var ErrNoFailure = errors.New("the recorded run did not fail")

// Record captures a process capsule for command and args: it snapshots
// the working files and allowlisted environment, then runs the process
// once from that snapshot in a sandbox — exactly as Replay will — and
// keeps how it ended and the digests of its output. The capsule is
// written to opts.Output when set. The returned RunResult is the
// recorded run.
func Record(ctx context.Context, command string, args []string, opts RecordOptions) (*ProcessCapsule, *RunResult, error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	files, err := captureFiles(dir, opts.Files, args)
	if err != nil {
		return nil, nil, err
	}
	c := &ProcessCapsule{
		Kind: ProcessCapsuleKind, Version: ProcessCapsuleVersion,
		Command: command, Args: args, Files: files,
		Env: captureEnv(opts.Env, opts.Scrub), TZ: localTZ(), Locale: localLocale(),
		StdinOpen: opts.StdinOpen, OnTimeout: opts.OnTimeout, DumpOn: opts.DumpOn,
		Signature: opts.Signature, Network: opts.Network,
		TimeoutMS: max(opts.Timeout, 0).Milliseconds(), MemoryMB: opts.MemoryBytes >> 20,
		Environment: CaptureEnvironment(ctx, recordTools(command)...),
		RecordedAt:  time.Now().UTC().Truncate(time.Second),
	}
	c.Stdin, c.StdinEncoding = encodeContent(opts.Stdin)
	if c.OnTimeout == "" {
		c.OnTimeout = c.onTimeout()
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("record: %w", err)
	}
	proxies, err := startRecordingProxies(opts.RecordURLEnv, opts.Scrub)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range proxies {
		c.Env[p.name] = p.storedURL()
	}
	res, err := recordRun(ctx, c, proxies)
	stopProxies(proxies)
	if err != nil {
		return nil, nil, err
	}
	recordedNetwork(c, proxies)
	c.Expected = Expected{Exit: res.ExitCode, TimedOut: res.TimedOut, Signal: res.Signal, StdoutSHA256: res.StdoutSHA256, StderrSHA256: res.StderrSHA256}
	if c.Signature == "" {
		c.Signature = GuessSignature(res.Combined())
	}
	if opts.Output != "" {
		if err := c.Write(opts.Output); err != nil {
			return nil, nil, err
		}
	}
	if !reproduces(c, regexp.MustCompile(c.Signature), res) {
		return c, res, ErrNoFailure
	}
	return c, res, nil
}

// recordRun runs the capsule once in a scratch sandbox; with recording
// proxies, the process is pointed at them and may use the network.
func recordRun(ctx context.Context, c *ProcessCapsule, proxies []*recordingProxy) (*RunResult, error) {
	sb, err := NewScratchSandbox()
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	root := filepath.Join(sb.Dir, "run-1")
	if err := writeCapsuleFiles(root, c.Files); err != nil {
		return nil, err
	}
	cmd, err := c.cmd(root, ReplayOptions{})
	if err != nil {
		return nil, err
	}
	if len(proxies) > 0 {
		cmd.AllowNetwork = true
		for _, p := range proxies {
			cmd.Env = setEnv(cmd.Env, p.name, p.processURL())
		}
	}
	return sb.Run(ctx, cmd)
}

// recordTools are the toolchains whose versions matter for command.
func recordTools(command string) []string {
	tools := slices.Clone(DefaultTools)
	if base := filepath.Base(command); !slices.Contains(tools, base) {
		tools = append(tools, base)
	}
	return tools
}

// captureFiles reads the files matching globs under dir, or the
// arguments that name regular files there when there are no globs.
func captureFiles(dir string, globs, args []string) ([]CapsuleFile, error) {
	var rels []string
	if len(globs) == 0 {
		for _, a := range args {
			if fi, err := os.Stat(filepath.Join(dir, a)); err == nil && fi.Mode().IsRegular() && localPath(filepath.ToSlash(a)) {
				rels = append(rels, a)
			}
		}
	}
	for _, g := range globs {
		m, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return nil, fmt.Errorf("--files %q: %w", g, err)
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("--files %q: matches nothing in %s", g, dir)
		}
		for _, p := range m {
			rel, _ := filepath.Rel(dir, p)
			rels = append(rels, rel)
		}
	}
	var files []CapsuleFile
	for _, rel := range slices.Compact(slices.Sorted(slices.Values(rels))) {
		full := filepath.Join(dir, rel)
		fi, err := os.Stat(full)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if !localPath(filepath.ToSlash(rel)) {
			return nil, fmt.Errorf("%s is outside %s", rel, dir)
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return nil, err
		}
		content, enc := encodeContent(data)
		files = append(files, CapsuleFile{Path: filepath.ToSlash(rel), Content: content, Encoding: enc, Mode: uint32(fi.Mode().Perm())})
	}
	return files, nil
}

// captureEnv keeps the allowlisted variables (and extra names) whose
// values survive scrub unchanged.
func captureEnv(extra []string, scrub Scrubber) map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if !allowedEnv(name, extra) || name == "TZ" || name == "LANG" || strings.HasPrefix(name, "LC_") {
			continue // TZ and the locale are pinned by their own fields
		}
		if scrub.apply(value) != value {
			continue
		}
		env[name] = value
	}
	return env
}

func allowedEnv(name string, extra []string) bool {
	for _, a := range append(slices.Clone(EnvAllowlist), extra...) {
		if a == name || strings.HasSuffix(a, "*") && strings.HasPrefix(name, strings.TrimSuffix(a, "*")) {
			return true
		}
	}
	return false
}

var (
	reJavaDeadlock = regexp.MustCompile(`Found (one|\d+) Java-level deadlock`)
	reGoFatal      = regexp.MustCompile(`WARNING: DATA RACE|fatal error: all goroutines are asleep|panic: test timed out`)
	reException    = regexp.MustCompile(`([A-Z][A-Za-z0-9_]*(?:Error|Exception))\b`)
	reGoPanic      = regexp.MustCompile(`(?m)^panic: ([^\n\[]{1,60})`)
)

// GuessSignature picks a failure signature from output: a Java deadlock
// report, a Go race, deadlock or panic, or the first XxxError or
// XxxException named; "" when none shows.
func GuessSignature(output string) string {
	if m := reJavaDeadlock.FindString(output); m != "" {
		return "Found one Java-level deadlock"
	}
	if m := reGoFatal.FindString(output); m != "" {
		return regexp.QuoteMeta(m)
	}
	if m := reGoPanic.FindStringSubmatch(output); m != nil {
		return regexp.QuoteMeta("panic: " + strings.TrimSpace(m[1]))
	}
	if m := reException.FindStringSubmatch(output); m != nil {
		return m[1]
	}
	return ""
}
