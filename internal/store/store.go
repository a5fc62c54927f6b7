// Package store keeps what TAG has ingested: artifacts (their redacted EPG
// fragments), which traces each artifact mentions, and the incidents and
// occurrences derived from them. The embedded backend is SQLite in WAL
// mode (modernc.org/sqlite, pure Go) in one file under the store
// directory; the interface leaves room for PostgreSQL.
//
// Ingest is transactional: one call stores a set of artifacts and
// re-derives the incidents of every trace they touch, and either all of it
// lands or none of it does.
package store

import (
	"context"
	"errors"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/incident"
)

// Sentinel errors for expected states.
var (
	ErrNotFound  = errors.New("not found")
	ErrAmbiguous = errors.New("ambiguous reference")
)

// Artifact is one decoded, redacted piece of evidence to store.
type Artifact struct {
	Name     string
	Format   string
	SHA256   string
	Size     int64
	Fragment *epg.Fragment
}

// DetectFunc finds the failure signals of a graph (incident.Detect with
// options bound).
type DetectFunc func(*epg.Graph) []incident.Signal

// IngestResult says what one Ingest call stored.
type IngestResult struct {
	Artifacts []ArtifactInfo
	// Incidents touched by this ingest (new or with new occurrences).
	Incidents []Incident
}

// ArtifactInfo describes a stored artifact.
type ArtifactInfo struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Format     string `json:"format"`
	SHA256     string `json:"sha256"`
	Size       int64  `json:"size"`
	Policy     string `json:"policy"`
	Nodes      int    `json:"nodes"`
	Edges      int    `json:"edges"`
	IngestedAt int64  `json:"ingested_at"`
}

// Incident is a group of occurrences with one fingerprint. Field names
// follow the `tag incidents --json` contract (DESIGN.md §4).
type Incident struct {
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`
	Kind        string `json:"kind"`
	Title       string `json:"title"`
	Service     string `json:"service"`
	Endpoint    string `json:"endpoint"`
	Count       int    `json:"count"`
	FirstSeen   int64  `json:"first_seen"`
	LastSeen    int64  `json:"last_seen"`
}

// Occurrence is one signal of an incident with the evidence it came from.
type Occurrence struct {
	ID         int64   `json:"id"`
	IncidentID string  `json:"incident"`
	TraceID    string  `json:"trace_id,omitempty"`
	Node       string  `json:"node"`
	Time       int64   `json:"time"`
	Title      string  `json:"title"`
	Frames     string  `json:"frames,omitempty"`
	Artifacts  []int64 `json:"artifacts"`
}

// Store is the persistence interface every backend implements.
type Store interface {
	// Ingest stores the artifacts and re-derives the incidents of every
	// trace they mention, in one transaction. On error nothing is stored.
	Ingest(ctx context.Context, arts []Artifact, detect DetectFunc) (*IngestResult, error)
	// Incidents lists incidents, most recently seen first.
	Incidents(ctx context.Context) ([]Incident, error)
	// Incident finds one by ID or unique ID prefix (ErrNotFound,
	// ErrAmbiguous).
	Incident(ctx context.Context, ref string) (*Incident, error)
	// Occurrences lists an incident's occurrences, newest first.
	Occurrences(ctx context.Context, incidentID string) ([]Occurrence, error)
	// Fragments returns the stored fragments of the given artifacts.
	Fragments(ctx context.Context, artifactIDs []int64) ([]*epg.Fragment, error)
	// Artifacts lists stored artifacts, oldest first.
	Artifacts(ctx context.Context) ([]ArtifactInfo, error)
	// Close releases the store.
	Close() error
}
