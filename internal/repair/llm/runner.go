package llm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// TestRequest asks a TestRunner to run tests.
type TestRequest struct {
	// Repo is the repository root; the runner must not write to it.
	Repo string
	// Package is the package to test, relative to Repo ("./cart",
	// "./...").
	Package string
	// Run is a test name pattern; empty runs all.
	Run string
	// Files are file contents to put in place before running, by
	// repository-relative path (nil content deletes the file): a
	// candidate patch, already checked and applied in memory.
	Files map[string][]byte
}

// TestRunner runs tests for the run_tests tool and returns their output;
// an error is for a run that could not happen (a failing test is output,
// not an error). The verifier supplies one that runs in its isolated
// worktree.
type TestRunner func(ctx context.Context, r TestRequest) (string, error)

// ReplayRequest asks a Replayer to replay the incident.
type ReplayRequest struct {
	Repo  string
	Patch string
}

// Replayer replays the failing input for the run_replay tool.
type Replayer func(ctx context.Context, r ReplayRequest) (string, error)

func noReplay(context.Context, ReplayRequest) (string, error) {
	return "replay unavailable: no replayer is configured for this run", nil
}

// maxCopyBytes bounds the repository copy GoTestRunner makes.
const maxCopyBytes = 256 << 20

// GoTestRunner returns a TestRunner that copies the repository (without
// .git) to a temporary directory, writes the request's files there and
// runs `go test` with a timeout, the module proxy off and the local
// toolchain only. It is the default; it offers no isolation beyond the
// copy, so the verifier passes its own sandboxed runner.
func GoTestRunner(timeout time.Duration) TestRunner {
	return func(ctx context.Context, r TestRequest) (string, error) {
		dir, err := os.MkdirTemp("", "tag-llm-test-")
		if err != nil {
			return "", err
		}
		defer os.RemoveAll(dir)
		if err := copyTree(r.Repo, dir); err != nil {
			return "", fmt.Errorf("copying the repository: %w", err)
		}
		for rel, b := range r.Files {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			if b == nil {
				_ = os.Remove(p)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return "", err
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				return "", err
			}
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		args := []string{"test", "-count=1"}
		if r.Run != "" {
			args = append(args, "-run", r.Run)
		}
		cmd := exec.CommandContext(ctx, "go", append(args, r.Package)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case ctx.Err() != nil:
			return string(out), fmt.Errorf("go test timed out after %s", timeout)
		case errors.As(err, &exit):
			return string(out) + fmt.Sprintf("\n(go test exited with status %d)", exit.ExitCode()), nil
		case err != nil:
			return string(out), err
		}
		return string(out), nil
	}
}

// copyTree copies regular files and directories from src to dst,
// skipping .git and symlinks, up to maxCopyBytes.
func copyTree(src, dst string) error {
	var total int64
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			if d.Name() == ".git" || strings.HasPrefix(rel, ".git"+string(filepath.Separator)) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > maxCopyBytes {
			return fmt.Errorf("the repository is larger than %d bytes", maxCopyBytes)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, info.Mode().Perm())
	})
}
