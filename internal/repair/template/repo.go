package template

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// repo indexes a repository's files by base name, so evidence paths from
// another machine (absolute, module-qualified or trimmed) map onto it.
type repo struct {
	root   string
	byBase map[string][]string // base name → repository-relative paths
	files  map[string]string   // relative path → content, read on demand
}

// skipDirs are never source of the service.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".tag": true, "__pycache__": true}

func openRepo(root string) (*repo, error) {
	r := &repo{root: root, byBase: map[string][]string{}, files: map[string]string{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		r.byBase[d.Name()] = append(r.byBase[d.Name()], rel)
		return nil
	})
	return r, err
}

// resolve maps an evidence path onto the repository by the longest
// matching suffix of path elements; "" when no file matches or the best
// match is ambiguous.
func (r *repo) resolve(p string) string {
	if p == "" {
		return ""
	}
	p = strings.ReplaceAll(p, "\\", "/")
	want := strings.Split(path.Clean(p), "/")
	best, bestN, ties := "", 0, 0
	for _, c := range r.byBase[want[len(want)-1]] {
		have := strings.Split(c, "/")
		n := 0
		for n < len(have) && n < len(want) && have[len(have)-1-n] == want[len(want)-1-n] {
			n++
		}
		switch {
		case n > bestN:
			best, bestN, ties = c, n, 0
		case n == bestN:
			ties++
		}
	}
	if ties > 0 {
		return ""
	}
	return best
}

// read returns a file's content by relative path.
func (r *repo) read(rel string) (string, error) {
	if s, ok := r.files[rel]; ok {
		return s, nil
	}
	b, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	r.files[rel] = string(b)
	return string(b), nil
}

// exists reports whether a relative path is a file of the repository.
func (r *repo) exists(rel string) bool {
	for _, c := range r.byBase[path.Base(rel)] {
		if c == rel {
			return true
		}
	}
	return false
}

// dirFiles lists the repository files directly in dir with the suffix.
func (r *repo) dirFiles(dir, suffix string) []string {
	ents, err := os.ReadDir(filepath.Join(r.root, filepath.FromSlash(dir)))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), suffix) {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	return out
}
