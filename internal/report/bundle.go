package report

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/repair"
)

// Bundle is everything a PR bundle is made from. The verifier and `tag
// fix` fill it; all text in it is expected to be redacted already, and the
// egress guard refuses it otherwise.
type Bundle struct {
	// Incident is the incident ID (tag incidents).
	Incident string
	// Title is the incident's title.
	Title string
	// Report is the root-cause report (tag analyze); may be nil.
	Report *rca.Report
	// TraceSummary describes the failing trace: service, endpoint, trace
	// ID, status and duration.
	TraceSummary string
	// Candidate is the repair candidate the bundle proposes.
	Candidate repair.Candidate
	// Checks is the verification table, in the order the checks ran.
	Checks []Check
	// ReproBefore and ReproAfter are the replay transcripts without and
	// with the patch.
	ReproBefore, ReproAfter string
	// Verdict is the verifier's verdict: "verified", "rejected", ….
	Verdict string
	// Risk, when set, is said instead of the derived risk summary; the
	// derived figures are reported either way.
	Risk string
	// Repo, when set, is the root of the repository the patch is for:
	// the description then names source files by their path in it, not
	// by the path the failing machine's binary was built at.
	Repo string
}

// repoPath renders an evidence file path as the repository path it names
// (the longest suffix of it that is a file under b.Repo), or as it is
// when there is no repository or no such file.
func (b *Bundle) repoPath(p string) string {
	if b.Repo == "" || p == "" {
		return p
	}
	parts := strings.Split(filepath.ToSlash(p), "/")
	for i := range parts {
		rel := path.Clean(strings.Join(parts[i:], "/"))
		if rel == "." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
			continue
		}
		if st, err := os.Stat(filepath.Join(b.Repo, filepath.FromSlash(rel))); err == nil && st.Mode().IsRegular() {
			return rel
		}
	}
	return p
}

// Check is one row of the verification table.
type Check struct {
	Name string `json:"name"`
	// Status is one of the Status* constants.
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
	Detail  string  `json:"detail,omitempty"`
}

// Check statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusSkip  = "skip"
	StatusError = "error"
)

// Verdicts the bundle treats specially; others are reported as given.
const (
	VerdictVerified = "verified"
	VerdictRejected = "rejected"
)

// shortIncident is the incident ID cut to what a branch name needs.
func shortIncident(id string) string {
	var b []byte
	for i := 0; i < len(id) && len(b) < 8; i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+'a'-'A')
		}
	}
	if len(b) == 0 {
		return "incident"
	}
	return string(b)
}

// repoText rewrites, in text about the report, the evidence paths of the
// root cause and the candidates as their repository paths.
func (b *Bundle) repoText(text string) string {
	if b.Repo == "" || b.Report == nil {
		return text
	}
	files := []string{b.Report.RootCause.Location.File}
	for _, c := range b.Report.Candidates {
		files = append(files, c.File)
	}
	for _, f := range files {
		if rel := b.repoPath(f); rel != f && strings.Contains(text, f) {
			text = strings.ReplaceAll(text, f, rel)
		}
	}
	return text
}
