package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are applied in order, each once, each in its own transaction.
// Never edit a released migration: append a new one.
var migrations = []string{
	// 1: artifacts, their traces, incidents and occurrences.
	`CREATE TABLE artifacts (
		id          INTEGER PRIMARY KEY,
		name        TEXT    NOT NULL,
		format      TEXT    NOT NULL,
		sha256      TEXT    NOT NULL,
		size        INTEGER NOT NULL,
		policy      TEXT    NOT NULL,
		nodes       INTEGER NOT NULL,
		edges       INTEGER NOT NULL,
		ingested_at INTEGER NOT NULL,
		fragment    BLOB    NOT NULL
	);
	CREATE INDEX artifacts_sha256 ON artifacts(sha256);
	CREATE TABLE artifact_traces (
		trace_id    TEXT    NOT NULL,
		artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
		PRIMARY KEY (trace_id, artifact_id)
	) WITHOUT ROWID;
	CREATE TABLE incidents (
		id          TEXT PRIMARY KEY,
		fingerprint TEXT NOT NULL UNIQUE,
		kind        TEXT NOT NULL,
		title       TEXT NOT NULL,
		service     TEXT NOT NULL,
		endpoint    TEXT NOT NULL,
		count       INTEGER NOT NULL DEFAULT 0,
		first_seen  INTEGER NOT NULL DEFAULT 0,
		last_seen   INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE occurrences (
		id          INTEGER PRIMARY KEY,
		incident_id TEXT    NOT NULL REFERENCES incidents(id),
		trace_id    TEXT    NOT NULL DEFAULT '',
		artifact_id INTEGER REFERENCES artifacts(id),
		node        TEXT    NOT NULL,
		time        INTEGER NOT NULL,
		title       TEXT    NOT NULL,
		frames      TEXT    NOT NULL DEFAULT ''
	);
	CREATE INDEX occurrences_trace ON occurrences(trace_id);
	CREATE INDEX occurrences_incident ON occurrences(incident_id, time);`,
	// 2: fragments may be stored compressed; '' means plain protobuf.
	`ALTER TABLE artifacts ADD COLUMN compression TEXT NOT NULL DEFAULT ''`,
	// 3: the services and processes each artifact speaks of, with their
	// time windows, so evidence without trace context can be joined.
	`CREATE TABLE artifact_scopes (
		kind        TEXT    NOT NULL,
		name        TEXT    NOT NULL,
		artifact_id INTEGER NOT NULL REFERENCES artifacts(id),
		start_ns    INTEGER NOT NULL,
		end_ns      INTEGER NOT NULL,
		PRIMARY KEY (kind, name, artifact_id)
	) WITHOUT ROWID;`,
}

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: create schema_migrations: %w", err)
	}
	var have int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("store: read schema version: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("store: schema version %d is newer than this tag (%d): upgrade tag", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, time.Now().UnixNano()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migration %d: %w", v, err)
		}
	}
	return nil
}
