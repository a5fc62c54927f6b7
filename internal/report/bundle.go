package report

import (
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
