package store

import (
	"context"
	"errors"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/incident"
)

func TestMigrationsAreIdempotentAndVersioned(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := s.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	s.Close()
	s, err = OpenSQLite(ctx, dir) // reopening applies nothing twice
	if err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	if n != len(migrations) {
		t.Errorf("%d migrations recorded, want %d", n, len(migrations))
	}
	// A store written by a newer tag is refused, not corrupted.
	s.db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, 0)`, len(migrations)+1)
	s.Close()
	if _, err := OpenSQLite(ctx, dir); err == nil {
		t.Fatal("opened a store with a newer schema")
	}
}

func TestIngestRollsBackOnDetectPanic(t *testing.T) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := &epg.Fragment{Policy: "none", Nodes: []epg.Node{{ID: "span:t:s", Kind: epg.KindSpan, Trace: epg.TraceRef{TraceID: "t", SpanID: "s"}}}}
	func() {
		defer func() { recover() }()
		s.Ingest(ctx, []Artifact{{Name: "a", Format: "x", SHA256: "1", Fragment: f}}, func(*epg.Graph) []incident.Signal { panic("boom") })
	}()
	if arts, _ := s.Artifacts(ctx); len(arts) != 0 {
		t.Fatalf("%d artifacts after a failed ingest", len(arts))
	}
	// The store still works afterwards.
	sig := incident.Signal{Kind: incident.KindError, Fingerprint: "abcdef0123456789", Node: "span:t:s", TraceID: "t", Title: "x"}
	if _, err := s.Ingest(ctx, []Artifact{{Name: "a", Format: "x", SHA256: "1", Fragment: f}}, func(*epg.Graph) []incident.Signal { return []incident.Signal{sig} }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Incident(ctx, "abc"); err != nil {
		t.Errorf("prefix lookup: %v", err)
	}
	if _, err := s.Incident(ctx, "zzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing incident: %v", err)
	}
}
