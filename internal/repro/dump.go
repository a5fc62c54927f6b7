package repro

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// dumper returns the Cmd.Dump for a capsule's on_timeout.
func dumper(kind string) func(context.Context, []int) string {
	switch kind {
	case DumpJStack:
		return jvmDump
	case DumpSIGQUIT:
		return sigquitDump
	}
	return nil
}

// jvmDump takes a thread dump of every JVM among pids with jstack -l,
// else jcmd Thread.print, else SIGQUIT (the JVM then prints the dump to
// its own stdout, which the run captures).
func jvmDump(ctx context.Context, pids []int) string {
	var b strings.Builder
	for _, pid := range pids {
		if !isJVM(pid) {
			continue
		}
		p := strconv.Itoa(pid)
		out, err := boundedOutput(ctx, "jstack", "-l", p)
		if err != nil {
			out, err = boundedOutput(ctx, "jcmd", p, "Thread.print", "-l")
		}
		if err != nil {
			fmt.Fprintf(&b, "jstack/jcmd %d failed (%v); sent SIGQUIT\n", pid, err)
			signalQuit(pid)
			time.Sleep(2 * time.Second)
			continue
		}
		b.WriteString(out)
	}
	return b.String()
}

// sigquitDump asks every process to dump its threads to its own output.
func sigquitDump(_ context.Context, pids []int) string {
	for _, pid := range pids {
		signalQuit(pid)
	}
	time.Sleep(time.Second)
	return ""
}

// isJVM reports whether pid runs a java launcher.
func isJVM(pid int) bool {
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err == nil && filepath.Base(exe) == "java" {
		return true
	}
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(comm)) == "java"
}

// boundedOutput runs a diagnostic tool for at most 20 seconds.
func boundedOutput(ctx context.Context, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(tail(string(out), 300)))
	}
	return string(out), nil
}
