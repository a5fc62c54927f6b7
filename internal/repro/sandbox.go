package repro

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Sandbox is a throwaway copy of a repository that commands run in. The
// user's tree is only read, never written.
type Sandbox struct {
	// Dir is the copy of the repository; commands run here by default.
	Dir string
	// Timeout and MemoryBytes are the defaults for commands that set none.
	Timeout     time.Duration
	MemoryBytes int64
	// Net is the network isolation in force (see DetectNetIsolation).
	Net NetIsolation

	root    string // the temp dir holding Dir and ctl
	ctl     string // helper specs, built binaries
	mu      sync.Mutex
	specSeq int
}

// Defaults for commands run in a sandbox. The memory limit is on address
// space (RLIMIT_AS), which counts reservations: a JVM reserves its heap,
// class space, code cache and glibc malloc arenas up front and fails to
// start, or to compile, under about 6 GiB; hence 8 GiB.
const (
	DefaultTimeout     = 2 * time.Minute
	DefaultMemoryBytes = 8 << 30
	maxCopiedFile      = 64 << 20
)

// skipDirs are never copied: version control, TAG's own store, and build
// outputs and caches that a reproduction rebuilds.
var skipDirs = map[string]bool{".git": true, ".tag": true, "bin": true, "node_modules": true, "__pycache__": true, ".venv": true, ".gradle": true, ".pytest_cache": true}

// NewSandbox copies repo into a new temporary directory. A git repository
// contributes its tracked and untracked-but-not-ignored files (so
// uncommitted changes come along) and the copy is committed into a fresh
// repository, so later stages can diff against it; any other directory is
// copied whole, minus skipDirs. Files over 64 MiB are left out.
func NewSandbox(repo string) (*Sandbox, error) {
	return NewSandboxContext(context.Background(), repo)
}

// NewSandboxContext is NewSandbox with a context for the git commands.
func NewSandboxContext(ctx context.Context, repo string) (*Sandbox, error) {
	src, err := filepath.Abs(repo)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(src); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("sandbox: %s is not a directory", repo)
	}
	sb, err := newEmptySandbox()
	if err != nil {
		return nil, err
	}
	files, isGit := gitFiles(ctx, src)
	if !isGit {
		files, err = walkFiles(src)
	}
	if err == nil {
		err = copyFiles(src, sb.Dir, files)
	}
	if err == nil && isGit {
		err = gitSnapshot(ctx, sb.Dir)
	}
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return sb, nil
}

// newEmptySandbox makes the temp layout: root/work (Dir) and root/ctl.
func newEmptySandbox() (*Sandbox, error) {
	root, err := os.MkdirTemp("", "tag-repro-")
	if err != nil {
		return nil, err
	}
	sb := &Sandbox{root: root, Dir: filepath.Join(root, "work"), ctl: filepath.Join(root, "ctl"),
		Timeout: DefaultTimeout, MemoryBytes: DefaultMemoryBytes, Net: DetectNetIsolation()}
	for _, d := range []string{sb.Dir, sb.ctl} {
		if err := os.Mkdir(d, 0o700); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
	}
	return sb, nil
}

// Close removes the sandbox and everything in it.
func (s *Sandbox) Close() error {
	if s == nil || s.root == "" {
		return nil
	}
	// Go's module cache and test outputs can be read-only; make them
	// writable so RemoveAll succeeds.
	filepath.WalkDir(s.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(s.root)
}

// ctlPath is a path in the sandbox's private control directory.
func (s *Sandbox) ctlPath(name string) string { return filepath.Join(s.ctl, name) }

// nextSpec names a fresh helper spec file.
func (s *Sandbox) nextSpec() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.specSeq++
	return s.ctlPath(fmt.Sprintf("spec-%d.json", s.specSeq))
}

// gitFiles lists a git work tree's files; ok is false when src is not the
// top of a git work tree or git is missing.
func gitFiles(ctx context.Context, src string) ([]string, bool) {
	top, err := exec.CommandContext(ctx, "git", "-C", src, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil, false
	}
	if t, _ := filepath.EvalSymlinks(strings.TrimSpace(string(top))); t != evalSymlinks(src) {
		return nil, false
	}
	out, err := exec.CommandContext(ctx, "git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return nil, false
	}
	var files []string
	for _, f := range bytes.Split(out, []byte{0}) {
		if len(f) > 0 && !skipped(string(f)) {
			files = append(files, string(f))
		}
	}
	return files, true
}

func evalSymlinks(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// skipped reports whether a relative path lies under a skipped directory.
func skipped(rel string) bool {
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if skipDirs[part] {
			return true
		}
	}
	return false
}

// walkFiles lists the files under src, relative, minus skipped dirs.
func walkFiles(src string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && p != src && skipDirs[d.Name()] {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	return files, err
}

// copyFiles copies the listed files from src to dst, keeping modes and
// symlinks; files deleted from the work tree are skipped.
func copyFiles(src, dst string, files []string) error {
	for _, rel := range files {
		from, to := filepath.Join(src, rel), filepath.Join(dst, rel)
		fi, err := os.Lstat(from)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(from)
			if err != nil {
				return err
			}
			err = os.Symlink(target, to)
			if err != nil {
				return err
			}
		case fi.Mode().IsRegular() && fi.Size() <= maxCopiedFile:
			if err := copyFile(from, to, fi.Mode().Perm()); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyFile(from, to string, perm fs.FileMode) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// gitSnapshot commits the copy into a fresh repository, without hooks,
// signing or the user's identity.
func gitSnapshot(ctx context.Context, dir string) error {
	env := append(os.Environ(), "GIT_AUTHOR_NAME=tag", "GIT_AUTHOR_EMAIL=tag@localhost",
		"GIT_COMMITTER_NAME=tag", "GIT_COMMITTER_EMAIL=tag@localhost", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "commit", "-q", "--allow-empty", "-m", "tag repro snapshot"},
	} {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir, cmd.Env = dir, env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", args[0], err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// NewScratchSandbox makes an empty sandbox, for drivers that write their
// own files (process replay).
func NewScratchSandbox() (*Sandbox, error) { return newEmptySandbox() }
