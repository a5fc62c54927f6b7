package llm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Bounds of what is read from the repository.
const (
	maxFileBytes   = 1 << 20 // larger files are refused
	maxFetchLines  = 400     // lines one fetch_code returns
	maxWalkEntries = 20000   // files the project summary looks at
)

// ErrOutsideRepo is wrapped by errors for a path that is absolute,
// climbs out of the repository, or resolves (through a symlink) outside
// it.
var ErrOutsideRepo = errors.New("path outside the repository")

// repo is the repository a proposal is for, read-only.
type repo struct {
	root string // absolute, symlinks resolved
}

func openRepo(dir string) (*repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("llm: repository: %w", err)
	}
	if st, err := os.Stat(real); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("llm: repository %s is not a directory", dir)
	}
	return &repo{root: real}, nil
}

// rel checks a model- or evidence-supplied path and returns it cleaned,
// slash-separated and relative to the root. It refuses absolute paths,
// .. escapes and anything inside .git. The file need not exist.
func (r *repo) rel(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`) || filepath.VolumeName(p) != "" {
		return "", fmt.Errorf("%q: %w: absolute paths are refused", p, ErrOutsideRepo)
	}
	c := filepath.ToSlash(filepath.Clean(filepath.FromSlash(p)))
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q: %w: .. escapes are refused", p, ErrOutsideRepo)
	}
	if c == ".git" || strings.HasPrefix(c, ".git/") {
		return "", fmt.Errorf("%q: the .git directory is off limits", p)
	}
	return c, nil
}

// resolve is rel plus a check that the path, through any symlinks,
// stays inside the root; it returns the real path. A path that does not
// exist yet is checked through its nearest existing parent.
func (r *repo) resolve(p string) (rel, full string, err error) {
	rel, err = r.rel(p)
	if err != nil {
		return "", "", err
	}
	full = filepath.Join(r.root, filepath.FromSlash(rel))
	probe, rest := full, ""
	for {
		real, err := filepath.EvalSymlinks(probe)
		if err == nil {
			full = filepath.Join(real, rest)
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || probe == r.root {
			return "", "", err
		}
		rest = filepath.Join(filepath.Base(probe), rest)
		probe = filepath.Dir(probe)
	}
	if x, err := filepath.Rel(r.root, full); err != nil || x == ".." || strings.HasPrefix(x, ".."+string(filepath.Separator)) {
		return "", "", fmt.Errorf("%q: %w: it resolves outside through a symlink", p, ErrOutsideRepo)
	}
	return rel, full, nil
}

// read returns a repository file's content, confined and bounded.
func (r *repo) read(p string) (string, []byte, error) {
	rel, full, err := r.resolve(p)
	if err != nil {
		return "", nil, err
	}
	st, err := os.Stat(full)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", rel, err)
	}
	if !st.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%s: not a regular file", rel)
	}
	if st.Size() > maxFileBytes {
		return "", nil, fmt.Errorf("%s: %d bytes, more than the %d this tool reads", rel, st.Size(), maxFileBytes)
	}
	b, err := os.ReadFile(full)
	return rel, b, err
}

// locate maps a file named by evidence (often an absolute path on the
// machine that crashed) to a repository file: the path itself if it is
// relative and exists, else the longest suffix of it that exists in the
// repository.
func (r *repo) locate(file string) (string, bool) {
	parts := strings.Split(filepath.ToSlash(file), "/")
	for i := range parts {
		cand := strings.Join(parts[i:], "/")
		if cand == "" {
			continue
		}
		rel, full, err := r.resolve(cand)
		if err != nil {
			continue
		}
		if st, err := os.Stat(full); err == nil && st.Mode().IsRegular() {
			return rel, true
		}
	}
	return "", false
}

// numbered renders lines [from, to] (1-based, inclusive, clipped) of
// content with line numbers.
func numbered(content []byte, from, to int) (string, int, int) {
	lines := strings.Split(strings.TrimSuffix(string(content), "\n"), "\n")
	from = max(from, 1)
	if to <= 0 || to > len(lines) {
		to = len(lines)
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%5d| %s\n", i, lines[i-1])
	}
	return b.String(), from, to
}

// project describes the repository: languages by file count and the
// build systems its files name.
func (r *repo) project() string {
	langs := map[string]int{}
	builds := map[string]bool{}
	n := 0
	_ = filepath.WalkDir(r.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || n > maxWalkEntries {
			return filepath.SkipDir
		}
		name := d.Name()
		if d.IsDir() {
			if path != r.root && (strings.HasPrefix(name, ".") || name == "vendor" || name == "node_modules" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		n++
		if l, ok := langByExt[filepath.Ext(name)]; ok {
			langs[l]++
		}
		if b, ok := buildFiles[name]; ok {
			builds[b] = true
		}
		return nil
	})
	var ls []string
	for l := range langs {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool {
		return langs[ls[i]] > langs[ls[j]] || langs[ls[i]] == langs[ls[j]] && ls[i] < ls[j]
	})
	var parts []string
	for _, l := range ls {
		parts = append(parts, fmt.Sprintf("%s (%d files)", l, langs[l]))
	}
	var bs []string
	for b := range builds {
		bs = append(bs, b)
	}
	sort.Strings(bs)
	return fmt.Sprintf("repository: %s\nlanguages: %s\nbuild: %s\n", filepath.Base(r.root),
		orNone(strings.Join(parts, ", ")), orNone(strings.Join(bs, ", ")))
}

func orNone(s string) string {
	if s == "" {
		return "none detected"
	}
	return s
}

var langByExt = map[string]string{
	".go": "Go", ".java": "Java", ".kt": "Kotlin", ".py": "Python", ".js": "JavaScript",
	".ts": "TypeScript", ".rb": "Ruby", ".rs": "Rust", ".c": "C", ".cc": "C++", ".cpp": "C++", ".cs": "C#",
}

var buildFiles = map[string]string{
	"go.mod": "go modules (go test)", "pom.xml": "Maven", "build.gradle": "Gradle", "build.gradle.kts": "Gradle",
	"package.json": "npm", "pyproject.toml": "Python (pyproject)", "setup.py": "Python (setuptools)",
	"requirements.txt": "pip", "Cargo.toml": "Cargo", "Makefile": "make", "BUILD.bazel": "Bazel",
}
