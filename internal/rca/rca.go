// Package rca turns an incident's evidence into the typed root-cause
// report of `tag analyze` (DESIGN.md §4): the root cause with its code
// location, ranked candidate locations with the reason for each, the
// critical failure, the impact, the evidence chain as node references and
// the implicated slice of the graph.
//
// Each incident kind ranks candidates with its best evidence: an
// exception chain's innermost cause (where the bad value first appears)
// before the frame where it finally crashed; a deadlock's acquisition
// sites on the lock cycle; a race's two accesses; the stacks most blocked
// or leaked goroutines share; for timeouts, where the late request's
// goroutines were waiting when the capture SDK snapshotted them running
// late (a lock held across slow work), then the slowest span's own work,
// which also explains errors without a stack. The report is bounded so it can be read and
// put in a prompt: every list says how much it left out.
package rca

import (
	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/inspect"
)

// Bounds of a report.
const (
	MaxCandidates = 10
	MaxEvidence   = 24
	MaxSliceNodes = 64
)

// Location is a place in code.
type Location struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Function string `json:"function,omitempty"`
}

// RootCause is the best candidate, said in one sentence.
type RootCause struct {
	Summary  string   `json:"summary"`
	Location Location `json:"location"`
}

// Candidate is one code location that may be the root cause.
type Candidate struct {
	File     string  `json:"file,omitempty"`
	Line     int     `json:"line,omitempty"`
	Function string  `json:"function,omitempty"`
	Score    float64 `json:"score"`
	Why      string  `json:"why"`
	// Node is the EPG node the candidate comes from.
	Node string `json:"node"`
}

// EvidenceRef is one node of the evidence chain.
type EvidenceRef struct {
	Node    string `json:"node"`
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
}

// SliceEdge is an edge of the slice, by node ID.
type SliceEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Kind string `json:"kind"`
}

// Slice is the implicated part of the graph.
type Slice struct {
	Nodes        []string    `json:"nodes"`
	Edges        []SliceEdge `json:"edges"`
	OmittedNodes int         `json:"omitted_nodes,omitempty"`
}

// Report is the `tag analyze --json` shape; fields may be added, never
// renamed.
type Report struct {
	Incident          string        `json:"incident"`
	Kind              string        `json:"kind"`
	Title             string        `json:"title"`
	RootCause         RootCause     `json:"root_cause"`
	Candidates        []Candidate   `json:"candidates"`
	OmittedCandidates int           `json:"omitted_candidates,omitempty"`
	CriticalFailure   string        `json:"critical_failure"`
	Impact            string        `json:"impact"`
	Evidence          []EvidenceRef `json:"evidence"`
	OmittedEvidence   int           `json:"omitted_evidence,omitempty"`
	Slice             Slice         `json:"slice"`
}

// Analyze builds the report for an incident from its loaded view (the
// representative occurrence's graph and evidence).
func Analyze(v *inspect.View) *Report {
	r := &Report{Incident: v.Incident.ID, Kind: v.Incident.Kind, Title: v.Incident.Title,
		Candidates: []Candidate{}, Evidence: []EvidenceRef{}, Slice: Slice{Nodes: []string{}, Edges: []SliceEdge{}}}
	r.Impact = impact(v)
	if v.Graph == nil || v.Representative == nil {
		r.RootCause.Summary = "no evidence stored for this incident"
		return r
	}
	g := v.Graph
	start, ok := g.Lookup(v.Representative.Node)
	if !ok {
		r.RootCause.Summary = "the failure node is not in the stored evidence"
		return r
	}
	r.CriticalFailure = inspect.Summary(g.Node(start))
	cands := rank(g, start, v.Incident.Kind)
	r.Candidates, r.OmittedCandidates = bound(cands, MaxCandidates)
	r.RootCause = rootCause(g, start, r)
	for i, e := range v.Evidence {
		if i == MaxEvidence {
			r.OmittedEvidence = len(v.Evidence) - i
			break
		}
		r.Evidence = append(r.Evidence, EvidenceRef{Node: e.Node, Kind: e.Kind, Summary: e.Summary})
	}
	r.Slice = slice(g, start, v.Evidence, r.Candidates)
	return r
}

func bound(c []Candidate, n int) ([]Candidate, int) {
	if len(c) <= n {
		return c, 0
	}
	return c[:n], len(c) - n
}

// rootCause phrases the best candidate.
func rootCause(g *epg.Graph, start int32, r *Report) RootCause {
	if len(r.Candidates) == 0 {
		return RootCause{Summary: r.CriticalFailure + " (no code location in the evidence)"}
	}
	c := r.Candidates[0]
	where := c.Function
	if c.File != "" {
		where += " at " + c.File
		if c.Line > 0 {
			where += ":" + itoa(c.Line)
		}
	}
	return RootCause{Summary: r.Title + " — " + c.Why + " in " + where, Location: Location{File: c.File, Line: c.Line, Function: c.Function}}
}
