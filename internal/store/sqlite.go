package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/tagdebug/tag/epg"
)

// DBFile is the database's file name inside the store directory.
const DBFile = "tag.db"

// SQLite is the embedded store.
type SQLite struct {
	db    *sql.DB
	path  string
	stmts statements
}

// statements are the ingest path's fixed queries, prepared once: parsing
// SQL was a measurable share of every OTLP request.
// Lists of trace IDs travel as one JSON array read with json_each, so
// that these statements do not change with the list's length.
type statements struct {
	dupArtifact, insertArtifact, insertIncident, insertOccurrence, refreshIncident, bumpIncident, selectIncident, deleteIncident *sql.Stmt
	insertTraces, traceArtifacts, traceIncidents, deleteTraceOccurrences, insertScope                                            *sql.Stmt
}

func (st *statements) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst *(*sql.Stmt)
		q   string
	}{
		{&st.dupArtifact, `SELECT id FROM artifacts WHERE sha256 = ? AND format = ? LIMIT 1`},
		{&st.insertArtifact, `INSERT INTO artifacts (name, format, sha256, size, policy, nodes, edges, ingested_at, fragment, compression) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&st.insertIncident, `INSERT INTO incidents (id, fingerprint, kind, title, service, endpoint) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO NOTHING`},
		{&st.insertOccurrence, `INSERT INTO occurrences (incident_id, trace_id, artifact_id, node, time, title, frames) VALUES (?, ?, ?, ?, ?, ?, ?)`},
		{&st.refreshIncident, `UPDATE incidents SET
			count = (SELECT COUNT(*) FROM occurrences WHERE incident_id = ?1),
			first_seen = COALESCE((SELECT MIN(time) FROM occurrences WHERE incident_id = ?1), 0),
			last_seen = COALESCE((SELECT MAX(time) FROM occurrences WHERE incident_id = ?1), 0)
			WHERE id = ?1`},
		{&st.bumpIncident, `UPDATE incidents SET
			count = count + ?2,
			first_seen = CASE WHEN count = 0 OR ?3 < first_seen THEN ?3 ELSE first_seen END,
			last_seen = CASE WHEN count = 0 OR ?4 > last_seen THEN ?4 ELSE last_seen END
			WHERE id = ?1`},
		{&st.selectIncident, `SELECT id, fingerprint, kind, title, service, endpoint, count, first_seen, last_seen FROM incidents WHERE id = ?`},
		{&st.deleteIncident, `DELETE FROM incidents WHERE id = ?`},
		{&st.insertTraces, `INSERT OR IGNORE INTO artifact_traces (trace_id, artifact_id) SELECT value, ?2 FROM json_each(?1)`},
		{&st.traceArtifacts, `SELECT DISTINCT artifact_id FROM artifact_traces WHERE trace_id IN (SELECT value FROM json_each(?)) ORDER BY artifact_id`},
		{&st.traceIncidents, `SELECT DISTINCT incident_id FROM occurrences WHERE trace_id IN (SELECT value FROM json_each(?))`},
		{&st.deleteTraceOccurrences, `DELETE FROM occurrences WHERE trace_id IN (SELECT value FROM json_each(?))`},
		{&st.insertScope, `INSERT OR REPLACE INTO artifact_scopes (kind, name, artifact_id, start_ns, end_ns) VALUES (?, ?, ?, ?, ?)`},
	} {
		stmt, err := db.PrepareContext(ctx, p.q)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		*p.dst = stmt
	}
	return nil
}

// OpenSQLite opens (creating if needed) the store in dir and brings its
// schema up to date.
func OpenSQLite(ctx context.Context, dir string) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	// IMMEDIATE transactions take the write lock up front, so two writers
	// wait on busy_timeout instead of failing on lock upgrade.
	dsn := "file:" + path + "?_txlock=immediate&_pragma=page_size(65536)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	s := &SQLite{db: db, path: path}
	if err := s.stmts.prepare(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Path returns the database file's path.
func (s *SQLite) Path() string { return s.path }

// Close implements Store.
func (s *SQLite) Close() error { return s.db.Close() }

// Incidents implements Store.
func (s *SQLite) Incidents(ctx context.Context) ([]Incident, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, fingerprint, kind, title, service, endpoint, count, first_seen, last_seen
		FROM incidents ORDER BY last_seen DESC, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Incident{}
	for rows.Next() {
		var in Incident
		if err := rows.Scan(&in.ID, &in.Fingerprint, &in.Kind, &in.Title, &in.Service, &in.Endpoint, &in.Count, &in.FirstSeen, &in.LastSeen); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// Incident implements Store.
func (s *SQLite) Incident(ctx context.Context, ref string) (*Incident, error) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	if ref == "" {
		return nil, fmt.Errorf("incident %q: %w", ref, ErrNotFound)
	}
	all, err := s.Incidents(ctx)
	if err != nil {
		return nil, err
	}
	var found []Incident
	for _, in := range all {
		if in.ID == ref || in.Fingerprint == ref {
			return &in, nil
		}
		if strings.HasPrefix(in.ID, ref) {
			found = append(found, in)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("incident %q: %w", ref, ErrNotFound)
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("incident %q matches %d incidents: %w", ref, len(found), ErrAmbiguous)
}

// Occurrences implements Store.
func (s *SQLite) Occurrences(ctx context.Context, incidentID string) ([]Occurrence, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, incident_id, trace_id, COALESCE(artifact_id, 0), node, time, title, frames
		FROM occurrences WHERE incident_id = ? ORDER BY time DESC, id DESC`, incidentID)
	if err != nil {
		return nil, err
	}
	var out []Occurrence
	for rows.Next() {
		var o Occurrence
		var art int64
		if err := rows.Scan(&o.ID, &o.IncidentID, &o.TraceID, &art, &o.Node, &o.Time, &o.Title, &o.Frames); err != nil {
			rows.Close()
			return nil, err
		}
		if art != 0 {
			o.Artifacts = []int64{art}
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].TraceID != "" {
			ids, err := artifactsOfTraces(ctx, s.db, []string{out[i].TraceID})
			if err != nil {
				return nil, err
			}
			out[i].Artifacts = ids
		}
		rel, err := s.related(ctx, out[i].Artifacts, out[i].TraceID != "")
		if err != nil {
			return nil, err
		}
		out[i].Artifacts = append(out[i].Artifacts, rel...)
	}
	return out, nil
}

// related returns the artifacts joined to arts by process or by service
// and time. For a traced occurrence only traceless ones are added: other
// traces are other requests.
func (s *SQLite) related(ctx context.Context, arts []int64, traced bool) ([]int64, error) {
	if len(arts) == 0 {
		return nil, nil
	}
	exclude := map[int64]bool{}
	for _, a := range arts {
		exclude[a] = true
	}
	var scopes []scope
	for start := 0; start < len(arts); start += inChunk {
		chunk := arts[start:min(start+inChunk, len(arts))]
		rows, err := s.db.QueryContext(ctx, `SELECT kind, name, start_ns, end_ns FROM artifact_scopes WHERE artifact_id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var sc scope
			if err := rows.Scan(&sc.kind, &sc.name, &sc.start, &sc.end); err != nil {
				rows.Close()
				return nil, err
			}
			scopes = append(scopes, sc)
		}
		rows.Close()
	}
	ids, err := relatedArtifacts(ctx, s.db, scopes, exclude, joinSlack)
	if err != nil || !traced {
		return ids, err
	}
	out := ids[:0]
	for _, id := range ids {
		var one int
		err := s.db.QueryRowContext(ctx, `SELECT 1 FROM artifact_traces WHERE artifact_id = ? LIMIT 1`, id).Scan(&one)
		if err == sql.ErrNoRows {
			out = append(out, id)
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Fragments implements Store.
func (s *SQLite) Fragments(ctx context.Context, ids []int64) ([]*epg.Fragment, error) {
	return loadFragments(ctx, s.db, ids)
}

// Artifacts implements Store.
func (s *SQLite) Artifacts(ctx context.Context) ([]ArtifactInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, format, sha256, size, policy, nodes, edges, ingested_at FROM artifacts ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ArtifactInfo
	for rows.Next() {
		var a ArtifactInfo
		if err := rows.Scan(&a.ID, &a.Name, &a.Format, &a.SHA256, &a.Size, &a.Policy, &a.Nodes, &a.Edges, &a.IngestedAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// inChunks bounds IN (...) lists below SQLite's variable limit.
const inChunk = 500

func artifactsOfTraces(ctx context.Context, q querier, traces []string) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for start := 0; start < len(traces); start += inChunk {
		chunk := traces[start:min(start+inChunk, len(traces))]
		rows, err := q.QueryContext(ctx, `SELECT DISTINCT artifact_id FROM artifact_traces WHERE trace_id IN (`+placeholders(len(chunk))+`) ORDER BY artifact_id`, anys(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func loadFragments(ctx context.Context, q querier, ids []int64) ([]*epg.Fragment, error) {
	var out []*epg.Fragment
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		rows, err := q.QueryContext(ctx, `SELECT id, fragment, compression FROM artifacts WHERE id IN (`+placeholders(len(chunk))+`) ORDER BY id`, anys(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var blob []byte
			var compression string
			if err := rows.Scan(&id, &blob, &compression); err != nil {
				rows.Close()
				return nil, err
			}
			f, err := decodeBlob(blob, compression)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: artifact %d: %w", id, err)
			}
			out = append(out, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(out) != len(ids) {
		return out, fmt.Errorf("store: %d of %d artifacts: %w", len(ids)-len(out), len(ids), ErrNotFound)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

var _ Store = (*SQLite)(nil)
