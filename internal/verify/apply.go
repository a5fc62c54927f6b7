package verify

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// ErrEmptyPatch is returned for a candidate whose patch changes nothing.
var ErrEmptyPatch = errors.New("verify: the patch changes no file")

// parseDiff parses a unified diff (git style or traditional ---/+++).
func parseDiff(diff string) ([]*gitdiff.File, error) {
	if strings.TrimSpace(diff) == "" {
		return nil, nil
	}
	files, _, err := gitdiff.Parse(strings.NewReader(diff))
	if err != nil {
		return nil, fmt.Errorf("parse diff: %w", err)
	}
	return files, nil
}

// applyDiff applies parsed files to tree strictly: every hunk must match
// its context at the line it names, with no offset search and no fuzz.
// The error names the file and the hunk.
func applyDiff(tree string, files []*gitdiff.File) error {
	for _, f := range files {
		if err := applyFile(tree, f); err != nil {
			return err
		}
	}
	return nil
}

func applyFile(tree string, f *gitdiff.File) error {
	name := fileName(f)
	if f.IsBinary {
		return fmt.Errorf("%s: binary patches are not applied", name)
	}
	if f.IsCopy {
		return fmt.Errorf("%s: copy patches are not applied", name)
	}
	var src []byte
	var mode os.FileMode = 0o644
	if !f.IsNew {
		old, err := safePath(tree, f.OldName)
		if err != nil {
			return err
		}
		if src, err = os.ReadFile(old); err != nil {
			return fmt.Errorf("%s: %w", f.OldName, err)
		}
		if fi, err := os.Stat(old); err == nil {
			mode = fi.Mode().Perm()
		}
	}
	var out bytes.Buffer
	if err := gitdiff.Apply(&out, bytes.NewReader(src), f); err != nil {
		return describeApplyError(name, f, err)
	}
	if f.IsDelete || f.IsRename {
		old, _ := safePath(tree, f.OldName)
		if err := os.Remove(old); err != nil {
			return fmt.Errorf("%s: %w", f.OldName, err)
		}
	}
	if f.IsDelete {
		return nil
	}
	return writeNew(tree, f, out.Bytes(), mode)
}

func writeNew(tree string, f *gitdiff.File, data []byte, mode os.FileMode) error {
	p, err := safePath(tree, f.NewName)
	if err != nil {
		return err
	}
	if f.IsNew || f.IsRename {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s: a new file that already exists", f.NewName)
		}
	}
	if f.NewMode != 0 {
		mode = f.NewMode.Perm()
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, mode)
}

// describeApplyError says which hunk did not match and where.
func describeApplyError(name string, f *gitdiff.File, err error) error {
	var ae *gitdiff.ApplyError
	if !errors.As(err, &ae) || ae.Fragment < 1 || ae.Fragment > len(f.TextFragments) {
		return fmt.Errorf("%s: %w", name, err)
	}
	frag := f.TextFragments[ae.Fragment-1]
	return fmt.Errorf("%s: hunk %d (@@ -%d,%d +%d,%d @@) does not apply at line %d: %w",
		name, ae.Fragment, frag.OldPosition, frag.OldLines, frag.NewPosition, frag.NewLines, ae.Line, err)
}

// fileName is the name a diff file is known by.
func fileName(f *gitdiff.File) string {
	if f.IsDelete {
		return f.OldName
	}
	return f.NewName
}

// diffFiles lists the repository-relative files a diff touches.
func diffFiles(files []*gitdiff.File) []string {
	var names []string
	for _, f := range files {
		names = append(names, fileName(f))
	}
	return names
}

// changedLines counts added plus deleted lines.
func changedLines(files []*gitdiff.File) int {
	n := 0
	for _, f := range files {
		for _, frag := range f.TextFragments {
			n += int(frag.LinesAdded + frag.LinesDeleted)
		}
	}
	return n
}
