package repro

import (
	"fmt"
	"strings"
	"time"
)

// Result is what a reproduction driver reports; `tag repro --json` prints
// it. Fields may be added, never renamed.
type Result struct {
	Incident   string   `json:"incident"`
	Driver     string   `json:"driver"` // "capsule", "stress", "process", "rr"
	Reproduced bool     `json:"reproduced"`
	Exact      bool     `json:"exact,omitempty"` // process: exit status and output digests matched too
	Runs       int      `json:"runs"`
	Failures   int      `json:"failures"` // runs where the signature came back
	Rate       float64  `json:"rate"`     // Failures/Runs
	ReliableN  int      `json:"reliable_n,omitempty"`
	Signature  string   `json:"signature"`
	Drift      []string `json:"drift,omitempty"`
	Notes      []string `json:"notes,omitempty"` // e.g. "rr: cannot record: …", "network isolation unavailable: …"
	Transcript []Step   `json:"transcript"`
	Dump       string   `json:"dump,omitempty"` // output of one failing run (bounded)
	Seconds    float64  `json:"seconds"`
	// Outcomes counts runs by outcome (stress: pass, race, deadlock,
	// leak, fail).
	Outcomes map[string]int `json:"outcomes,omitempty"`
}

// Step is one command of a reproduction's transcript.
type Step struct {
	Command string  `json:"command"`
	Exit    int     `json:"exit"`
	Seconds float64 `json:"seconds"`
	Output  string  `json:"output,omitempty"`
}

// DumpLimit bounds Result.Dump and each Step.Output.
const DumpLimit = 32 << 10

// Scrubber rewrites text before it is shown or stored; the CLI passes the
// redaction engine's RedactText. A nil Scrubber is the identity.
type Scrubber func(string) string

func (s Scrubber) apply(text string) string {
	if s == nil {
		return text
	}
	return s(text)
}

// newResult starts a result for driver.
func newResult(incident, driver string) *Result {
	return &Result{Incident: incident, Driver: driver, Transcript: []Step{}}
}

// step appends a transcript step built from a run.
func (r *Result) step(command string, rr *RunResult, keepOutput bool) {
	s := Step{Command: command, Exit: rr.ExitCode, Seconds: rr.Duration.Seconds()}
	if keepOutput {
		s.Output = tail(rr.Combined(), DumpLimit)
	}
	r.Transcript = append(r.Transcript, s)
}

// note appends a note unless it is already there.
func (r *Result) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	for _, have := range r.Notes {
		if have == n {
			return
		}
	}
	r.Notes = append(r.Notes, n)
}

// finish computes the rate and duration and passes every text field
// through scrub.
func (r *Result) finish(start time.Time, scrub Scrubber) *Result {
	if r.Runs > 0 {
		r.Rate = float64(r.Failures) / float64(r.Runs)
	}
	r.Reproduced = r.Failures > 0
	r.Seconds = time.Since(start).Seconds()
	r.Signature = scrub.apply(r.Signature)
	r.Dump = scrub.apply(tail(r.Dump, DumpLimit))
	for i := range r.Drift {
		r.Drift[i] = scrub.apply(r.Drift[i])
	}
	for i := range r.Notes {
		r.Notes[i] = scrub.apply(r.Notes[i])
	}
	for i := range r.Transcript {
		r.Transcript[i].Command = scrub.apply(r.Transcript[i].Command)
		r.Transcript[i].Output = scrub.apply(r.Transcript[i].Output)
	}
	return r
}

// Summary is a one-line human rendering of r.
func (r *Result) Summary() string {
	verdict := "not reproduced"
	if r.Reproduced {
		verdict = "reproduced"
		if r.Exact {
			verdict += " (exact)"
		}
	}
	s := fmt.Sprintf("%s: %s, %d of %d runs (%.0f%%)", r.Driver, verdict, r.Failures, r.Runs, 100*r.Rate)
	if r.ReliableN > 0 {
		s += fmt.Sprintf(", %d runs for 99%% confidence", r.ReliableN)
	}
	if r.Signature != "" {
		s += ", signature " + strings.TrimSpace(r.Signature)
	}
	return s
}
