package report

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/redact/redacttest"
)

func TestWriteBundle(t *testing.T) {
	repo, _ := newRepo(t)
	b := fixtureBundle()
	out := filepath.Join(t.TempDir(), "bundles", b.Incident)
	w, err := Write(ctx(t), b, out, testGuard(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{FilePR, FileChecks, FilePatch, FileReport, FileReproAfter, FileReproBefore, FileTest}
	if !reflect.DeepEqual(w.Files, want) {
		t.Errorf("files = %v, want %v", w.Files, want)
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != len(want) {
		t.Errorf("%d entries in the bundle, want %d", len(ents), len(want))
	}

	pr := readFile(t, filepath.Join(out, FilePR))
	if pr != w.Body {
		t.Error("PR.md differs from Written.Body")
	}
	last := -1
	for _, sec := range []string{SecSummary, SecTrace, SecRootCause, SecEvidence, SecCandidates, SecSlice, SecPatch, SecTests,
		SecReplay, SecReproBefore, SecReproAfter, SecVerification, SecRisk, SecRollout, SecRollback} {
		i := strings.Index(pr, "\n"+sec+"\n")
		if i < 0 {
			t.Errorf("PR.md lacks %q", sec)
			continue
		}
		if i < last {
			t.Errorf("PR.md: %q out of order", sec)
		}
		last = i
	}
	for _, s := range []string{
		"# TAG: fix all goroutines are asleep",
		"4bf92f3577b34da6a3ce929d0e0e4736",              // trace summary
		"the early return leaves s.mu locked",           // root cause
		"```mermaid\nflowchart LR\n",                    // slice graph
		"-->|waits| ",                                   // an edge
		"thread:main:7 -waits-> lock:main:0xc000012345", // edge list
		"+\tdefer s.mu.Unlock()",                        // patch
		"+func TestAddNegativeUnlocks",                  // test
		"`TestAddNegativeUnlocks`",
		"fatal error: all goroutines are asleep - deadlock!", // before
		"--- PASS: TestAddNegativeUnlocks",                   // after
		"| repro-before | ❌ fail | 2.1 s |",                  // checks
		`no -race toolchain \| skipped`,                      // escaped cell
		`waits on s.mu \| held by goroutine 7`,
		"**medium.**", "Concurrency: lock", // risk
		"tag show 3f9a1c2b7d4e", "git apply -R patch.diff", // plans
	} {
		if !strings.Contains(pr, s) {
			t.Errorf("PR.md lacks %q", s)
		}
	}
	if strings.Contains(pr, "Do not merge") {
		t.Error("a verified fix is told not to merge")
	}

	// The bundle's diffs apply to the repository they were made for.
	for _, f := range []string{FilePatch, FileTest} {
		cmd := exec.Command("git", "-C", repo, "apply", "--check", filepath.Join(out, f))
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("git apply --check %s: %v\n%s", f, err, o)
		}
	}

	// report.json round-trips.
	doc, err := ReadDocument(out)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc, w.Document) {
		t.Errorf("report.json does not round-trip:\n got %+v\nwant %+v", doc, w.Document)
	}
	if doc.Patch != fixturePatch || doc.Tests != fixtureTest || doc.Report.Slice.Edges[0].Kind != "waits" || doc.Risk.Level != RiskMedium ||
		len(doc.Rollout) == 0 || len(doc.Rollback) == 0 || doc.Verdict != VerdictVerified {
		t.Errorf("report.json content: %+v", doc)
	}
	var checks []Check
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(out, FileChecks))), &checks); err != nil || !reflect.DeepEqual(checks, b.Checks) {
		t.Errorf("checks.json = %v (%v)", checks, err)
	}
	// The DESIGN.md §4 fix shape's fields are all there.
	var raw map[string]any
	_ = json.Unmarshal([]byte(readFile(t, filepath.Join(out, FileReport))), &raw)
	for _, k := range []string{"incident", "verdict", "patch", "tests", "checks"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
}

func TestWriteReplacesBundleOnly(t *testing.T) {
	b := fixtureBundle()
	out := filepath.Join(t.TempDir(), "b")
	if _, err := Write(ctx(t), b, out, nil); err != nil {
		t.Fatal(err)
	}
	b.Verdict = VerdictRejected
	b.ReproAfter = ""
	if _, err := Write(ctx(t), b, out, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, FileReproAfter)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a stale file of the earlier bundle survived")
	}
	if pr := readFile(t, filepath.Join(out, FilePR)); !strings.Contains(pr, "Do not merge as is") {
		t.Error("a rejected fix is not flagged")
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 1 {
		t.Errorf("left beside the bundle: %v", ents)
	}

	other := t.TempDir()
	writeFile(t, filepath.Join(other, "main.go"), "package main\n")
	if _, err := Write(ctx(t), b, other, nil); !errors.Is(err, ErrNotBundle) {
		t.Errorf("replaced a directory that is not a bundle: %v", err)
	}
}

func TestWriteRefusesSecrets(t *testing.T) {
	secret := plantedSecret(t)
	for _, tc := range []struct {
		name, part string
		plant      func(b *Bundle)
	}{
		{"patch", FilePatch, func(b *Bundle) {
			b.Candidate.Patch = strings.Replace(b.Candidate.Patch, " // Add adds n to key.", " // Add adds n to key. "+secret, 1)
		}},
		{"report", FilePR, func(b *Bundle) { b.Report.Evidence[1].Summary += " token=" + secret }},
		{"transcript", FileReproBefore, func(b *Bundle) { b.ReproBefore += "GITHUB_TOKEN=" + secret + "\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fixtureBundle()
			tc.plant(b)
			parent := t.TempDir()
			out := filepath.Join(parent, "bundle")
			_, err := Write(ctx(t), b, out, testGuard(t))
			if !errors.Is(err, redact.ErrEgressBlocked) {
				t.Fatalf("err = %v, want the egress guard's refusal", err)
			}
			if !strings.Contains(err.Error(), tc.part) || strings.Contains(err.Error(), secret) {
				t.Errorf("error should name %s and not the value: %v", tc.part, err)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 0 {
				t.Errorf("a refused bundle left %v", ents)
			}
		})
	}
}

// plantedSecret is a fake GitHub token generated now, so the repository
// holds nothing a scanner would flag.
func plantedSecret(t *testing.T) string {
	t.Helper()
	for _, p := range redacttest.NewGen(7).Secrets() {
		if p.Provider == "github-pat" {
			return p.Secret
		}
	}
	t.Fatal("redacttest has no github-pat plant")
	return ""
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Redacted evidence, the redactor's renderings included, goes through;
// the mermaid labels cut long summaries without splitting a rendering.
func TestWriteAcceptsRedactedEvidence(t *testing.T) {
	e, err := redact.New(nil, []byte("report-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	red := e.RedactText("checkout failed for ada@analytical.example with Authorization: Bearer " + plantedSecret(t))
	if strings.Contains(red, plantedSecret(t)) {
		t.Fatal("the redactor kept the secret")
	}
	b := fixtureBundle()
	b.Report.Evidence[0].Summary = red
	b.ReproBefore = red + "\n" + b.ReproBefore
	b.TraceSummary += "\n" + red
	w, err := Write(ctx(t), b, filepath.Join(t.TempDir(), "b"), redact.NewGuard(e, nil))
	if err != nil {
		t.Fatalf("redacted evidence refused: %v", err)
	}
	if !strings.Contains(w.Body, red) {
		t.Error("PR.md lost the redacted evidence")
	}
}
