package incident

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Kind is the class of a failure signal.
type Kind string

// Signal kinds found by this package.
const (
	KindException Kind = "exception"
	KindPanic     Kind = "panic"
	KindError     Kind = "error"
	KindTimeout   Kind = "timeout"
	// KindDeadlock: a lock cycle, or a runtime's own deadlock verdict.
	KindDeadlock Kind = "deadlock"
	// KindBlocked: goroutines stuck when a timeout dump was taken.
	KindBlocked Kind = "blocked"
	// KindLeak: goroutines that should have exited (goleak, leak profile).
	KindLeak Kind = "leak"
	// KindRace: a data race report.
	KindRace Kind = "race"
)

// Signal is one failure occurrence found in a graph.
type Signal struct {
	Kind        Kind
	Fingerprint string
	// Title is a one-line human summary ("NullPointerException: token").
	Title     string
	ErrorType string
	Service   string
	Endpoint  string
	// Node is the ID of the EPG node that carries the signal: the
	// exception event, or the erroring/slow span.
	Node    string
	TraceID string
	// Time is when it happened (Unix ns).
	Time int64
	// Frames are the top in-app functions used in the fingerprint.
	Frames []string
}

// Options tune detection.
type Options struct {
	// Deadline marks any span longer than this as a timeout; 0 disables.
	Deadline time.Duration
	// SLO maps an endpoint to its latency objective; a server span of
	// that endpoint taking longer is a timeout.
	SLO map[string]time.Duration
	// MinLogSeverity is the lowest OTLP severity number at which an
	// exception attached to a log record counts (default 13, WARN).
	MinLogSeverity int64
}

// fingerprint hashes the grouping key.
func fingerprint(kind Kind, errType string, frames []string, service, endpoint, fallback string) string {
	h := sha256.New()
	for _, part := range []string{string(kind), errType, strings.Join(frames, ";"), service, endpoint} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	if len(frames) == 0 {
		// Without frames the normalised message is what tells failures apart.
		h.Write([]byte(fallback))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ID returns the short incident ID for a fingerprint.
func ID(fingerprint string) string {
	if len(fingerprint) < 12 {
		return fingerprint
	}
	return fingerprint[:12]
}
