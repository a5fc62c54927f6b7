package evidence

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSourceLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := "package store\n\nfunc (s *Store) Put() {\n\ts.mu.Lock()\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "store", "store.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		roots []string
		file  string
		line  int
		want  string
		ok    bool
	}{
		{nil, filepath.Join(dir, "store", "store.go"), 4, "s.mu.Lock()", true},
		{[]string{dir}, "/build/src/app/store/store.go", 4, "s.mu.Lock()", true},
		{[]string{dir}, "/build/src/app/store/store.go", 40, "", false},
		{[]string{dir}, "/build/other.go", 1, "", false},
		{nil, "", 1, "", false},
	} {
		got, ok := SourceLine(tc.roots, tc.file, tc.line)
		if got != tc.want || ok != tc.ok {
			t.Errorf("SourceLine(%v, %q, %d) = %q, %v; want %q, %v", tc.roots, tc.file, tc.line, got, ok, tc.want, tc.ok)
		}
	}
}
