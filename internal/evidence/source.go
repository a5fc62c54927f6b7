package evidence

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// maxSourceLine bounds a source line read for naming; longer lines are
// not code anyone names a lock in.
const maxSourceLine = 4 << 10

// SourceLine returns line n (1-based) of file, trimmed of surrounding
// space. The file is looked up as printed, then under each of roots with
// ever shorter suffixes of its path (a dump printed on a build machine
// says /build/src/app/store/store.go; under a root it is store/store.go).
// It reports false when no readable file has that line.
func SourceLine(roots []string, file string, n int) (string, bool) {
	if file == "" || n <= 0 {
		return "", false
	}
	for _, p := range sourceCandidates(roots, file) {
		if l, ok := readLine(p, n); ok {
			return l, true
		}
	}
	return "", false
}

func sourceCandidates(roots []string, file string) []string {
	var out []string
	if len(roots) == 0 {
		return append(out, file)
	}
	parts := strings.Split(filepath.ToSlash(file), "/")
	for _, r := range roots {
		for i := range parts {
			rest := filepath.Join(parts[i:]...)
			if rest == "" {
				continue
			}
			out = append(out, filepath.Join(r, rest))
		}
	}
	return out
}

func readLine(path string, n int) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), maxSourceLine)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return strings.TrimSpace(sc.Text()), true
		}
	}
	return "", false
}
