package verify

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

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
