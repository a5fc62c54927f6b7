package verify

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// skipDirs are never copied into a throwaway tree: version control, TAG's
// own store, build outputs and caches.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, ".tag": true,
	"node_modules": true, "__pycache__": true, ".venv": true,
}

// copyTree copies the repository at src into dst (which must not exist)
// with fresh bytes, never links, so nothing run in dst can write through
// to the user's tree. Symbolic links are kept only when they stay inside
// the repository; the top-level bin directory (build outputs) is left out.
func copyTree(src, dst string) error {
	src, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && path != src && (skipDirs[d.Name()] || rel == "bin") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			return copyLink(src, path, target)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil // sockets, devices, pipes
	})
}

func copyLink(root, path, target string) error {
	link, err := os.Readlink(path)
	if err != nil {
		return err
	}
	resolved := link
	if !filepath.IsAbs(link) {
		resolved = filepath.Join(filepath.Dir(path), link)
	}
	if !within(root, resolved) || filepath.IsAbs(link) {
		return nil // pointing out of the repository: not ours to follow
	}
	return os.Symlink(link, target)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, info.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// within says whether path is root or below it (lexically).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// safePath resolves a repository-relative path inside tree, refusing
// absolute paths, escapes and any symbolic link on the way, so a patch
// can only write regular files of the throwaway tree.
func safePath(tree, rel string) (string, error) {
	if rel == "" || filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") {
		return "", fmt.Errorf("path %q is not repository-relative", rel)
	}
	p := filepath.Join(tree, filepath.FromSlash(rel))
	if !within(tree, p) || p == filepath.Clean(tree) {
		return "", fmt.Errorf("path %q leaves the repository", rel)
	}
	for dir := p; dir != filepath.Clean(tree); dir = filepath.Dir(dir) {
		if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return "", fmt.Errorf("path %q goes through a symbolic link", rel)
		}
	}
	return p, nil
}
