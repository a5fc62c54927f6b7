package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/repair"
)

// Bundle file names.
const (
	FilePR          = "PR.md"
	FilePatch       = "patch.diff"
	FileTest        = "test.diff"
	FileReport      = "report.json"
	FileChecks      = "checks.json"
	FileReproBefore = "repro-before.txt"
	FileReproAfter  = "repro-after.txt"
)

// ErrNotBundle is returned when Write's output directory exists and is
// neither empty nor an earlier bundle, so replacing it could lose work.
var ErrNotBundle = errors.New("report: output directory exists and is not a TAG bundle")

// Document is report.json: everything PR.md says, for machines. Fields
// may be added, never renamed.
type Document struct {
	Incident     string           `json:"incident"`
	Title        string           `json:"title"`
	PRTitle      string           `json:"pr_title"`
	Verdict      string           `json:"verdict"`
	TraceSummary string           `json:"trace_summary"`
	Report       *rca.Report      `json:"report"`
	Patch        string           `json:"patch"`
	Tests        string           `json:"tests"`
	TestName     string           `json:"test_name,omitempty"`
	Candidate    repair.Candidate `json:"candidate"`
	Checks       []Check          `json:"checks"`
	ReproBefore  string           `json:"repro_before"`
	ReproAfter   string           `json:"repro_after"`
	Risk         Risk             `json:"risk"`
	Rollout      []string         `json:"rollout"`
	Rollback     []string         `json:"rollback"`
	Files        []string         `json:"files"`
}

// Written describes a bundle on disk.
type Written struct {
	// Dir is the bundle directory.
	Dir string
	// Files are the names of the files in Dir, sorted.
	Files []string
	// Title is the pull request's title and Body its description (PR.md).
	Title, Body string
	// Document is report.json's content.
	Document *Document
}

// Write renders b into the bundle directory outDir, replacing an earlier
// bundle there. Every file passes guard (nil means a guard over the
// built-in policy) before anything is written, and the bundle is built in
// a temporary directory beside outDir and renamed into place, so a
// refusal or a failure leaves outDir as it was.
func Write(ctx context.Context, b *Bundle, outDir string, guard *redact.Guard) (*Written, error) {
	g, err := guardOrDefault(guard)
	if err != nil {
		return nil, err
	}
	w, parts, err := render(b)
	if err != nil {
		return nil, err
	}
	if err := checkParts(g, "pr-bundle", parts); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := writeDir(outDir, parts); err != nil {
		return nil, err
	}
	w.Dir = outDir
	return w, nil
}

// render makes every file of the bundle in memory.
func render(b *Bundle) (*Written, []part, error) {
	risk := AssessRisk(b)
	rollout, rollback := Plans(b, risk)
	checks := b.Checks
	if checks == nil {
		checks = []Check{}
	}
	doc := &Document{Incident: b.Incident, Title: b.Title, PRTitle: Title(b), Verdict: b.Verdict,
		TraceSummary: b.TraceSummary, Report: b.Report, Patch: b.Candidate.Patch, Tests: b.Candidate.Test,
		TestName: b.Candidate.TestName, Candidate: b.Candidate, Checks: checks,
		ReproBefore: b.ReproBefore, ReproAfter: b.ReproAfter, Risk: risk, Rollout: rollout, Rollback: rollback}
	body := Markdown(b, risk)
	// The sources come before the files that quote them, so a refusal
	// names where the value came from.
	parts := []part{{FilePatch, []byte(b.Candidate.Patch)}, {FileTest, []byte(b.Candidate.Test)}}
	if b.ReproBefore != "" {
		parts = append(parts, part{FileReproBefore, []byte(b.ReproBefore)})
	}
	if b.ReproAfter != "" {
		parts = append(parts, part{FileReproAfter, []byte(b.ReproAfter)})
	}
	cj, err := json.MarshalIndent(checks, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	parts = append(parts, part{FileChecks, append(cj, '\n')}, part{FilePR, []byte(body)})
	for _, p := range parts {
		doc.Files = append(doc.Files, p.name)
	}
	doc.Files = append(doc.Files, FileReport)
	slices.Sort(doc.Files)
	rj, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, nil, err
	}
	parts = append(parts, part{FileReport, append(rj, '\n')})
	return &Written{Files: doc.Files, Title: doc.PRTitle, Body: body, Document: doc}, parts, nil
}

// writeDir writes parts into a fresh temporary directory beside dir and
// swaps it in.
func writeDir(dir string, parts []part) (err error) {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	if err := replaceable(dir); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for _, p := range parts {
		if err := os.WriteFile(filepath.Join(tmp, p.name), p.data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	return swapIn(tmp, dir)
}

// replaceable refuses to replace a directory that holds something other
// than an earlier bundle.
func replaceable(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, FileReport)); err != nil {
		return fmt.Errorf("%w: %s", ErrNotBundle, dir)
	}
	return nil
}

// swapIn renames tmp to dir, moving an existing dir aside first and
// removing it only once the new one is in place.
func swapIn(tmp, dir string) error {
	if err := os.Rename(tmp, dir); err == nil {
		return nil
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return err
	}
	return os.RemoveAll(old)
}

// ReadDocument reads report.json from a bundle directory.
func ReadDocument(dir string) (*Document, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileReport))
	if err != nil {
		return nil, err
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("report: %s: %w", filepath.Join(dir, FileReport), err)
	}
	return &d, nil
}
