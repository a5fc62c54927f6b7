package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDescriptionNamesRepositoryPaths: evidence names files where the
// failing binary was built (/build/src/…); with the repository known, the
// PR description names them as the repository does, in the location, the
// summary, and the candidates, and leaves a path it cannot find alone.
func TestDescriptionNamesRepositoryPaths(t *testing.T) {
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "store", "store.go"), []byte("package store\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := fixtureBundle()
	const built = "/build/src/github.com/acme/counter/store/store.go"
	b.Report.RootCause.Location.File = built
	b.Report.RootCause.Summary = "s.mu stays locked in store.(*Store).Add at " + built + ":15"
	b.Report.Candidates[0].File = built
	b.Report.Candidates[0].Why = "returns at " + built + ":15 holding s.mu"
	b.Report.Candidates[1].File = "/build/src/vendor/elsewhere.go"

	without := Markdown(b, AssessRisk(b))
	b.Repo = repo
	md := Markdown(b, AssessRisk(b))
	for _, want := range []string{"Location: `store/store.go:15`", "in store.(*Store).Add at store/store.go:15",
		"| 1 | store/store.go:15 |", "returns at store/store.go:15 holding s.mu", "/build/src/vendor/elsewhere.go:13"} {
		if !strings.Contains(md, want) {
			t.Errorf("description lacks %q", want)
		}
	}
	if strings.Contains(md, built) {
		t.Errorf("description still names the build path %s", built)
	}
	if !strings.Contains(without, built) {
		t.Errorf("without a repository the evidence path should stand as it is")
	}
}
