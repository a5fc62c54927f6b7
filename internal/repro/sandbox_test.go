package repro

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func needTool(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

// writeTree writes files (path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSandboxCopyLeavesOriginalAlone(t *testing.T) {
	needTool(t, "git")
	repo := t.TempDir()
	writeTree(t, repo, map[string]string{"main.go": "package main\n", "bin/big": "x", ".gitignore": "ignored.txt\n", "ignored.txt": "no"})
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "main.go", ".gitignore")
	git("commit", "-q", "-m", "init")
	writeTree(t, repo, map[string]string{"main.go": "package main // edited\n", "new.go": "package main\n"})

	sb, err := NewSandbox(repo)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if b, _ := os.ReadFile(filepath.Join(sb.Dir, "main.go")); !strings.Contains(string(b), "edited") {
		t.Errorf("uncommitted change not copied: %q", b)
	}
	for _, p := range []string{"new.go"} {
		if _, err := os.Stat(filepath.Join(sb.Dir, p)); err != nil {
			t.Errorf("%s not copied: %v", p, err)
		}
	}
	for _, p := range []string{"bin/big", "ignored.txt"} {
		if _, err := os.Stat(filepath.Join(sb.Dir, p)); err == nil {
			t.Errorf("%s copied", p)
		}
	}
	res, err := sb.Run(context.Background(), Cmd{Args: []string{"sh", "-c", "echo changed > main.go && rm new.go && git status --porcelain"}})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v %+v", err, res)
	}
	if !strings.Contains(res.Stdout, "main.go") {
		t.Errorf("the copy is not a git repository to diff against: %q", res.Combined())
	}
	if b, _ := os.ReadFile(filepath.Join(repo, "main.go")); !strings.Contains(string(b), "edited") {
		t.Errorf("original changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(repo, "new.go")); err != nil {
		t.Errorf("original lost new.go: %v", err)
	}
	root := sb.root
	sb.Close()
	if _, err := os.Stat(root); err == nil {
		t.Errorf("Close left %s", root)
	}
}

func TestSandboxTimeoutKillsGroup(t *testing.T) {
	sb, err := NewScratchSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	pidFile := filepath.Join(sb.Dir, "child.pid")
	res, err := sb.Run(context.Background(), Cmd{
		Args:    []string{"sh", "-c", "sleep 60 & echo $! > child.pid; wait"},
		Timeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.Signal == "" {
		t.Fatalf("want a timeout kill, got %+v", res)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	// The grandchild is gone (or a zombie being reaped), not sleeping on.
	for i := 0; i < 50; i++ {
		st, err := os.ReadFile("/proc/" + pid + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("sleep %s survived the group kill", pid)
}

func TestSandboxMemoryLimit(t *testing.T) {
	needTool(t, "python3")
	sb, err := NewScratchSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	res, err := sb.Run(context.Background(), Cmd{
		Args:        []string{"python3", "-c", "x = bytearray(2 << 30); print('allocated')"},
		MemoryBytes: 256 << 20,
		Timeout:     time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode == 0 || strings.Contains(res.Stdout, "allocated") || !res.MemoryExceeded {
		t.Fatalf("2 GiB allocation under a 256 MiB limit: %+v", res)
	}
	t.Logf("stopped: exit %d, %s", res.ExitCode, strings.TrimSpace(tail(res.Stderr, 200)))
}

func TestSandboxNoNetwork(t *testing.T) {
	needTool(t, "python3")
	sb, err := NewScratchSandbox()
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if !sb.Net.Available {
		t.Skipf("network isolation unavailable: %s", sb.Net.Reason)
	}
	script := `
import socket
s = socket.socket(); s.settimeout(5)
try:
    s.connect(("10.255.255.1", 80)); print("connected")
except OSError as e:
    print("refused:", e)
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
c = socket.create_connection(srv.getsockname(), timeout=5); print("loopback ok")
`
	res, err := sb.Run(context.Background(), Cmd{Args: []string{"python3", "-c", script}, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Isolated || !strings.Contains(res.Stdout, "refused:") || !strings.Contains(res.Stdout, "loopback ok") {
		t.Fatalf("isolation (%s): %+v", sb.Net.Method, res)
	}
	t.Logf("%s: %s", sb.Net.Method, strings.TrimSpace(res.Stdout))
}
