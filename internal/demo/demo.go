// Package demo runs TAG's example services the way production runs them,
// against an embedded TAG: it builds and starts each service from a
// scratch repository, drives healthy and failing work through it while
// the service exports OpenTelemetry (and, for runtimes that print rather
// than export, hands TAG the dumps they print), and says, for each
// failure, what `tag fix` needs beyond the incident itself: the process
// capsules to reproduce from and the existing tests that prove the bug.
//
// `tag demo` (cmd/tag) owns the store, the receiver and the fix loop; this
// package owns the examples.
package demo

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Env is what an example run gets from `tag demo`.
type Env struct {
	// Repo is the scratch git repository holding the examples (the layout
	// of TAG's own repository: examples/shop, examples/pyworker, …).
	Repo string
	// Work is a scratch directory for builds, logs and capsules.
	Work string
	// OTLP is the embedded receiver's OTLP/HTTP base URL
	// (http://127.0.0.1:PORT); capsules go to its /v1/tag/capsules.
	OTLP string
	// Ingest stores runtime artifacts (dumps, race reports) of one process,
	// the way `tag ingest --process P --service S --src DIR` does.
	Ingest func(ctx context.Context, a Artifacts) error
	// Log receives one line per step; nil is quiet.
	Log io.Writer
}

// Artifacts are runtime evidence files of one process.
type Artifacts struct {
	Service string
	Process string
	// Src are source roots decoders may read to name locks.
	Src   []string
	Files []string
}

// Target is one failure an example is expected to produce, and what
// `tag fix` needs for it.
type Target struct {
	// Example and Name label the row in the demo's table ("shop", "pay").
	Example, Name string
	// Service, Kind and Hint pick the incident: its service, its kind
	// (alternatives separated by "|"), and
	// a word its endpoint or title contains (empty matches any).
	Service, Kind, Hint string
	// Capsules are process capsules (tag record) to reproduce from; Go
	// services carry their capsules in the incident's evidence.
	Capsules []string
	// ExpectFlip are existing tests that prove the bug and fail once it is
	// fixed.
	ExpectFlip []string
	// TestFlags are added to every go test run of the fix.
	TestFlags []string
}

// Matches reports whether an incident is this target's failure.
func (t Target) Matches(kind, service, endpoint, title string) bool {
	if t.Service != "" && service != t.Service {
		return false
	}
	if t.Kind != "" && !slices.Contains(strings.Split(t.Kind, "|"), kind) {
		return false
	}
	return t.Hint == "" || strings.Contains(endpoint, t.Hint) || strings.Contains(title, t.Hint)
}

func (e *Env) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}
