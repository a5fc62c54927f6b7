package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tagdebug/tag/internal/repro"
)

// Bounds of the ledger run: a JVM that has not deadlocked by then will
// not, and a dump or a stop that takes longer is stuck.
const (
	ledgerDeadlockWait = time.Minute
	ledgerStepTimeout  = 30 * time.Second
)

// ledgerStressSeconds is how long a recorded or replayed ledger run
// stresses f and g before giving up: the deadlock comes within
// milliseconds, and a fixed ledger ends after this, so it bounds every
// "no longer reproduces" run of verification.
const ledgerStressSeconds = "2"

// Ledger runs the Java ledger in a real JVM until the JVM reports its
// deadlock, hands TAG the jstack dump of it (a JVM prints its threads
// rather than exporting them), stops the JVM, and records a process
// capsule that reproduces the deadlock. The JVM is killed on every path.
func Ledger(ctx context.Context, env *Env) ([]Target, error) {
	for _, tool := range []string{"javac", "java", "jstack"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
	}
	dir := filepath.Join(env.Repo, "examples", "ledger")
	if err := os.MkdirAll(env.Work, 0o755); err != nil {
		return nil, err
	}
	classes := filepath.Join(env.Work, "ledger-classes")
	env.logf("ledger: compiling Ledger.java")
	if err := runBounded(ctx, "", "javac", "-d", classes, filepath.Join(dir, "Ledger.java")); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	env.logf("ledger: running f and g under load until the JVM reports a deadlock")
	dump, pid, err := ledgerDeadlockDump(ctx, classes)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	path := filepath.Join(env.Work, "ledger-jstack.txt")
	if err := os.WriteFile(path, dump, 0o644); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	env.logf("ledger: ingesting the jstack dump of pid %d", pid)
	err = env.Ingest(ctx, Artifacts{Service: "ledger", Process: fmt.Sprintf("%s/%d", host, pid), Src: []string{dir}, Files: []string{path}})
	if err != nil {
		return nil, fmt.Errorf("ledger: ingest: %w", err)
	}
	capsule := filepath.Join(env.Work, "ledger.capsule.json")
	env.logf("ledger: recording a run that deadlocks into %s", capsule)
	_, _, err = repro.Record(ctx, "java", []string{"Ledger.java", "stress", ledgerStressSeconds}, repro.RecordOptions{
		Dir:       dir,
		StdinOpen: true, // the ledger holds its deadlock until stdin closes
		Timeout:   45 * time.Second,
		DumpOn:    "DEADLOCK",
		Signature: "Found one Java-level deadlock",
		Output:    capsule,
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: record: %w", err)
	}
	return []Target{{
		Example: "ledger", Name: "f/g",
		Service: "ledger", Kind: "deadlock",
		Capsules: []string{capsule},
	}}, nil
}

// ledgerDeadlockDump runs the compiled ledger, waits for its DEADLOCK
// line, and returns `jstack -l` of the deadlocked JVM and its pid. The
// JVM is stopped (stdin closed, then killed if it lingers) before it
// returns, whatever happened.
func ledgerDeadlockDump(ctx context.Context, classes string) ([]byte, int, error) {
	ctx, cancel := context.WithTimeout(ctx, ledgerDeadlockWait+2*ledgerStepTimeout)
	defer cancel()
	jvm := exec.CommandContext(ctx, "java", "-cp", classes, "Ledger", "stress", strconv.Itoa(int(ledgerDeadlockWait/time.Second)))
	jvm.WaitDelay = 5 * time.Second
	stdin, err := jvm.StdinPipe()
	if err != nil {
		return nil, 0, err
	}
	stdout, err := jvm.StdoutPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := jvm.Start(); err != nil {
		return nil, 0, err
	}
	defer stopJVM(jvm, stdin)
	line, err := firstLine(ctx, stdout, ledgerDeadlockWait)
	if err != nil {
		return nil, 0, err
	}
	if !strings.HasPrefix(line, "DEADLOCK") {
		return nil, 0, fmt.Errorf("the ledger did not deadlock: %q", line)
	}
	pid := jvm.Process.Pid
	dctx, dcancel := context.WithTimeout(ctx, ledgerStepTimeout)
	defer dcancel()
	dump, err := exec.CommandContext(dctx, "jstack", "-l", strconv.Itoa(pid)).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("jstack %d: %w", pid, err)
	}
	if !strings.Contains(string(dump), "Java-level deadlock") {
		return nil, 0, fmt.Errorf("jstack %d: the dump reports no deadlock", pid)
	}
	return dump, pid, nil
}

// firstLine reads one line of r, giving up after d.
func firstLine(ctx context.Context, r io.Reader, d time.Duration) (string, error) {
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case line := <-got:
		return line, nil
	case <-time.After(d):
		return "", fmt.Errorf("no deadlock reported in %v", d)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// stopJVM closes the ledger's stdin, which tells it to exit, and kills it
// if it has not within a few seconds.
func stopJVM(jvm *exec.Cmd, stdin io.Closer) {
	stdin.Close()
	done := make(chan struct{})
	go func() {
		jvm.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		jvm.Process.Kill()
		<-done
	}
}

// runBounded runs a command to completion within twice ledgerStepTimeout,
// returning its output in the error when it fails.
func runBounded(ctx context.Context, dir, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*ledgerStepTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s timed out", name)
		}
		return fmt.Errorf("%s: %v\n%s", name, err, out)
	}
	return nil
}
