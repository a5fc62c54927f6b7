package llm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFetchIsConfined(t *testing.T) {
	f := newFixture(t)
	write(t, f.repo, ".git/config", "[core]\n")
	write(t, f.repo, "big.txt", strings.Repeat("x", maxFileBytes+1))
	outside := t.TempDir()
	write(t, outside, "o.txt", "outside\n")
	if err := os.Symlink(outside, filepath.Join(f.repo, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("cart/cart.go", filepath.Join(f.repo, "in.go")); err != nil {
		t.Fatal(err)
	}
	r, _ := openRepo(f.repo)
	s := &session{p: &Proposer{opts: withDefaults(Options{Redactor: identity{}})}, repo: r}
	for _, tt := range []struct {
		path, want string
		outside    bool
	}{
		{"../x", ".. escapes", true},
		{"cart/../../x", ".. escapes", true},
		{"/etc/passwd", "absolute", true},
		{"out/o.txt", "symlink", true},
		{".git/config", ".git directory", false},
		{"big.txt", "more than", false},
		{"cart", "not a regular file", false},
	} {
		_, err := s.fetch(tt.path, 0, 0)
		if err == nil || !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrOutsideRepo) != tt.outside {
			t.Errorf("fetch(%q): %v, want %q", tt.path, err, tt.want)
		}
	}
	out, err := s.fetch("in.go", 2, 3)
	if err != nil || !strings.HasPrefix(out, "in.go lines 2-3 of ") || !strings.Contains(out, "    2| package cart\n") {
		t.Errorf("symlink inside the repository: %q, %v", out, err)
	}
}

func TestProjectSummary(t *testing.T) {
	f := newFixture(t)
	write(t, f.repo, "web/app.py", "print(1)\n")
	write(t, f.repo, "web/requirements.txt", "flask\n")
	r, _ := openRepo(f.repo)
	got := r.project()
	for _, want := range []string{"languages: Go (1 files), Python (1 files)", "build: go modules (go test), pip"} {
		if !strings.Contains(got, want) {
			t.Errorf("project() = %q, want %q", got, want)
		}
	}
}
