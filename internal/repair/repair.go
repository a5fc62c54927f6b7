// Package repair defines what a patch proposer is given and what it
// returns (DESIGN.md §1, "repair"). Proposers live in subpackages:
// repair/template (deterministic fix patterns on syntax trees, offline) and
// repair/llm (an agent loop over a model API with tools). The verifier
// (internal/verify) takes the candidates, proves or rejects each, and may
// send its findings back as Feedback for another attempt.
package repair

import (
	"context"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/rca"
)

// Request is everything a proposer may look at. The repository is a
// throwaway copy: proposers read it and never write to it; their output is
// a diff.
type Request struct {
	// Report is the incident's root-cause report (tag analyze).
	Report *rca.Report
	// Graph is the representative occurrence's merged, redacted EPG; the
	// report's slice names nodes of it.
	Graph *epg.Graph
	// Repo is the repository root the patch applies to.
	Repo string
	// Inputs are the failing occurrence's captured inputs, already
	// redacted (e.g. the decoded request body of a capsule), keyed by name.
	// Regression tests are built from them.
	Inputs map[string]string
	// Feedback is what the verifier said about earlier attempts, oldest
	// first; empty on the first attempt.
	Feedback []Feedback
}

// Feedback is one verifier finding about an earlier candidate.
type Feedback struct {
	// Candidate is the rejected candidate's patch.
	Patch string
	// Check is the check that failed (e.g. "build", "repro-after").
	Check string
	// Detail says why, bounded to a few lines of output.
	Detail string
}

// Candidate is one proposed fix.
type Candidate struct {
	// Patch is a unified diff (git style, a/ and b/ prefixes, paths
	// relative to the repository root) of the fix alone.
	Patch string `json:"patch"`
	// Test is a unified diff that adds the regression test encoding the
	// failure as an assertion; empty when none could be derived.
	Test string `json:"test,omitempty"`
	// TestName is the regression test's name (for go test -run, unittest
	// or the JVM runner), empty when Test is.
	TestName string `json:"test_name,omitempty"`
	// Proposer is the proposer's name ("template", "llm").
	Proposer string `json:"proposer"`
	// Template names the fix pattern (template proposer) or the model
	// (llm proposer).
	Template string `json:"template"`
	// Trigger is the EPG node whose evidence chose this fix.
	Trigger string `json:"trigger,omitempty"`
	// Why says why the fix is right and why it is minimal.
	Why string `json:"why"`
	// Files are the repository-relative files the patch changes.
	Files []string `json:"files"`
	// Usage is the model usage spent on this candidate (llm only).
	Usage *Usage `json:"usage,omitempty"`
}

// Usage is model token usage and its estimated cost.
type Usage struct {
	Attempt      int     `json:"attempt"`
	InputTokens  int64   `json:"input_tokens"`
	OutputTokens int64   `json:"output_tokens"`
	CostUSD      float64 `json:"cost_usd"`
}

// Proposer proposes candidate patches for an incident.
type Proposer interface {
	// Name is the proposer's name as `tag fix --model` spells it.
	Name() string
	// Propose returns candidates, best first. No candidate is not an
	// error: it returns an empty slice and says why in the error only when
	// something went wrong.
	Propose(ctx context.Context, req *Request) ([]Candidate, error)
}
