package verify

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
)

// writeTree writes files (relative path → content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPyRoots(t *testing.T) {
	tree := writeTree(t, map[string]string{
		"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/x.py": "",
		"scripts/y.py": "", "scripts/test_y.py": "", "top.py": "",
	})
	got := pyRoots(tree, []string{"pkg/sub/x.py", "scripts/y.py", "scripts/test_y.py", "top.py"})
	if strings.Join(got, " ") != ". scripts" {
		t.Fatalf("pyRoots = %q, want [. scripts]", got)
	}
}

const pyMean = "def mean(xs):\n    return sum(xs) / len(xs)\n"

// pyScriptsInput is a fix for a script directory that is not a package
// (its tests `import mean` beside them, as examples/pyworker's do):
// discovery must start there, not at the repository's root.
func pyScriptsInput(t *testing.T, expectFlip ...string) *Input {
	repo := writeTree(t, map[string]string{
		"svc/mean.py": pyMean,
		"svc/test_mean.py": `import unittest
import mean


class Mean(unittest.TestCase):
    def test_mean(self):
        self.assertEqual(mean.mean([1, 3]), 2)

    def test_empty_raises(self):
        with self.assertRaises(ZeroDivisionError):
            mean.mean([])
`,
	})
	return &Input{
		Repo:   repo,
		Report: &rca.Report{Kind: "exception"},
		Candidate: repair.Candidate{
			Patch: gitDiff(t, "svc/mean.py", pyMean, "def mean(xs):\n    return sum(xs) / len(xs) if xs else 0.0\n"),
			Test: gitDiff(t, "svc/test_tag_regression_mean.py", "", `import unittest
import mean


class TagRegressionMean(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(mean.mean([]), 0.0)
`),
			TestName: "test_tag_regression_mean",
			Template: "default-zero",
		},
		ExpectFlip: expectFlip,
		Limits:     Limits{Step: time.Minute},
		WorkDir:    t.TempDir(),
	}
}

func TestPythonScriptDirectory(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	res := expect(t, pyScriptsInput(t, "test_empty_raises"), Verified, "")
	for _, c := range res.Checks {
		if c.Name == CheckSuite && !strings.Contains(c.Detail, "in svc: 2 tests pass but for the expected flips") {
			t.Errorf("suite: %s", c.Detail)
		}
	}
	if !hasCheck(res, CheckRegression, StatusPass) {
		t.Error("the regression test did not run")
	}
	// The bug-proving test, not named as such, breaks the suite.
	expect(t, pyScriptsInput(t), Rejected, CheckSuite)
}

const javaMean = `public class Mean {
    static int mean(int[] xs) {
        int s = 0;
        for (int x : xs) s += x;
        return s / xs.length;
    }
}
`

// javaInput fixes Mean with patched and proves it with a regression test
// that is a main class.
func javaInput(t *testing.T, patched string) *Input {
	repo := writeTree(t, map[string]string{"app/Mean.java": javaMean})
	return &Input{
		Repo:   repo,
		Report: &rca.Report{Kind: "exception"},
		Candidate: repair.Candidate{
			Patch: gitDiff(t, "app/Mean.java", javaMean, patched),
			Test: gitDiff(t, "app/MeanTagRegressionTest.java", "", `public class MeanTagRegressionTest {
    public static void main(String[] args) {
        System.exit(Mean.mean(new int[0]) == 0 ? 0 : 1);
    }
}
`),
			TestName: "MeanTagRegressionTest",
			Template: "default-zero",
		},
		Limits:  Limits{Step: time.Minute},
		WorkDir: t.TempDir(),
	}
}

func TestJavaMainRegression(t *testing.T) {
	for _, tool := range []string{"javac", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	fixed := strings.Replace(javaMean, "return s / xs.length;", "return xs.length == 0 ? 0 : s / xs.length;", 1)
	res := expect(t, javaInput(t, fixed), Verified, "")
	if !hasCheck(res, CheckRegression, StatusPass) {
		t.Error("the regression test did not run")
	}
	noFix := strings.Replace(javaMean, "int s = 0;", "int s = 0; // sum", 1)
	expect(t, javaInput(t, noFix), Rejected, CheckRegression)
}
