package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/async"
	"github.com/tagdebug/tag/internal/incident"
)

// Ingest implements Store. An artifact whose SHA-256 is already stored is
// skipped (ingesting a file twice changes nothing).
//
// The fragments are encoded and compressed on other goroutines while this
// one merges the graph and detects incidents: both only read the
// fragments, and on two cores the encoding is then nearly free.
func (s *SQLite) Ingest(ctx context.Context, arts []Artifact, detect DetectFunc) (res *IngestResult, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		// Also on panic (a detector bug must not leave the write lock held).
		if !committed {
			tx.Rollback()
		}
	}()
	res = &IngestResult{}
	fresh, err := s.freshArtifacts(ctx, tx, arts)
	if err != nil {
		return nil, err
	}
	if len(fresh) == 0 {
		committed = true
		return res, tx.Commit()
	}
	blobs := encodeBlobs(fresh)
	defer blobs.release()
	var batch []*epg.Fragment
	traceSet := map[string]bool{}
	var traces []string
	// Traceless nodes of this batch → the index of the artifact they came
	// from.
	traceless := map[string]int{}
	for k, a := range fresh {
		batch = append(batch, a.Fragment)
		for _, t := range a.Fragment.TraceIDs() {
			if !traceSet[t] {
				traceSet[t] = true
				traces = append(traces, t)
			}
		}
		for i := range a.Fragment.Nodes {
			if a.Fragment.Nodes[i].Trace.TraceID == "" {
				traceless[a.Fragment.Nodes[i].ID] = k
			}
		}
	}
	traceList := jsonList(traces)
	g, err := s.mergedGraph(ctx, tx, batch, traces, traceList)
	if err != nil {
		return nil, err
	}
	// Incidents are detected on another goroutine while the artifacts
	// are written: detection only reads the graph, and the signals are
	// needed only after the inserts. A detector's panic comes back here.
	detected := async.Go(func() []incident.Signal { return detect(g) })
	ids, err := s.insertArtifacts(ctx, tx, fresh, blobs, res)
	if err != nil {
		detected() // not left running over a graph no one will read
		return nil, err
	}
	found := detected()
	var signals []incident.Signal
	var signalArt []int64
	for _, sig := range found {
		switch {
		case sig.TraceID != "" && traceSet[sig.TraceID]:
			signals, signalArt = append(signals, sig), append(signalArt, 0)
		case sig.TraceID == "":
			if k, ok := traceless[sig.Node]; ok {
				signals, signalArt = append(signals, sig), append(signalArt, ids[k])
			}
		}
	}
	touched, err := s.replaceOccurrences(ctx, tx, traceList, signals, signalArt)
	if err != nil {
		return nil, err
	}
	if res.Incidents, err = s.refreshIncidents(ctx, tx, touched); err != nil {
		return nil, err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit: %w", err)
	}
	return res, nil
}

// freshArtifacts drops artifacts already stored, or repeated in arts.
func (s *SQLite) freshArtifacts(ctx context.Context, tx *sql.Tx, arts []Artifact) ([]Artifact, error) {
	var fresh []Artifact
	seen := map[string]bool{}
	for _, a := range arts {
		key := a.SHA256 + "\x00" + a.Format
		if seen[key] {
			continue
		}
		seen[key] = true
		var dup int64
		switch err := tx.StmtContext(ctx, s.stmts.dupArtifact).QueryRowContext(ctx, a.SHA256, a.Format).Scan(&dup); {
		case err == nil:
			continue
		case err != sql.ErrNoRows:
			return nil, err
		}
		fresh = append(fresh, a)
	}
	return fresh, nil
}

// insertArtifacts stores the artifacts with their encoded fragments and
// indexes, returning their IDs in order.
func (s *SQLite) insertArtifacts(ctx context.Context, tx *sql.Tx, arts []Artifact, blobs *pendingBlobs, res *IngestResult) ([]int64, error) {
	now := time.Now().UnixNano()
	ids := make([]int64, len(arts))
	for k, a := range arts {
		blob, compression := blobs.get(k)
		info := ArtifactInfo{Name: a.Name, Format: a.Format, SHA256: a.SHA256, Size: a.Size, Policy: a.Fragment.Policy,
			Nodes: len(a.Fragment.Nodes), Edges: len(a.Fragment.Edges), IngestedAt: now}
		r, err := tx.StmtContext(ctx, s.stmts.insertArtifact).ExecContext(ctx, info.Name, info.Format, info.SHA256, info.Size, info.Policy, info.Nodes, info.Edges, info.IngestedAt, blob, compression)
		if err != nil {
			return nil, fmt.Errorf("store: insert artifact %s: %w", a.Name, err)
		}
		info.ID, _ = r.LastInsertId()
		ids[k] = info.ID
		res.Artifacts = append(res.Artifacts, info)
		if _, err := tx.StmtContext(ctx, s.stmts.insertTraces).ExecContext(ctx, jsonList(a.Fragment.TraceIDs()), info.ID); err != nil {
			return nil, fmt.Errorf("store: index traces: %w", err)
		}
		if err := s.insertScopes(ctx, tx, info.ID, a.Fragment); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// jsonList encodes IDs for the statements that read them with json_each.
func jsonList(ids []string) string {
	b, _ := json.Marshal(ids)
	return string(b)
}

// tracesArtifacts returns the stored artifacts holding any of traces.
func (s *SQLite) tracesArtifacts(ctx context.Context, tx *sql.Tx, traces string) ([]int64, error) {
	rows, err := tx.StmtContext(ctx, s.stmts.traceArtifacts).QueryContext(ctx, traces)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// mergedGraph builds the graph the batch's traces live in: the batch's
// fragments plus every stored fragment that shares one of its traces (a
// trace's spans and logs arrive over many requests). The batch is not
// stored yet, so everything it finds in the store is older evidence.
func (s *SQLite) mergedGraph(ctx context.Context, tx *sql.Tx, batch []*epg.Fragment, traces []string, traceList string) (*epg.Graph, error) {
	b := epg.NewBuilder()
	if len(traces) > 0 {
		ids, err := s.tracesArtifacts(ctx, tx, traceList)
		if err != nil {
			return nil, err
		}
		frags, err := loadFragments(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		for _, f := range frags {
			b.Add(f)
		}
	}
	// Evidence without any trace context (a goroutine dump, a log file)
	// joins what was stored for the same process, or the same service
	// around the same time, so a panic lands on the request it killed.
	var scopes []scope
	for _, f := range batch {
		if len(f.TraceIDs()) == 0 {
			scopes = append(scopes, scopesOf(f)...)
		}
	}
	if len(scopes) > 0 {
		ids, err := relatedArtifacts(ctx, tx, scopes, nil, joinSlack)
		if err != nil {
			return nil, err
		}
		frags, err := loadFragments(ctx, tx, ids)
		if err != nil {
			return nil, err
		}
		for _, f := range frags {
			b.Add(f)
		}
	}
	for _, f := range batch {
		b.Add(f)
	}
	return b.Build(), nil
}

// joinSlack widens a time window when joining by service: a dump is
// taken a little after the requests it explains started.
const joinSlack = int64(60e9)

// replaceOccurrences makes the stored occurrences of the given traces
// exactly the new signals, returning every incident ID whose occurrences
// changed.
func (s *SQLite) replaceOccurrences(ctx context.Context, tx *sql.Tx, traces string, signals []incident.Signal, arts []int64) (map[string]*delta, error) {
	touched := map[string]*delta{}
	rows, err := tx.StmtContext(ctx, s.stmts.traceIncidents).QueryContext(ctx, traces)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		touched[id] = &delta{recount: true}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.StmtContext(ctx, s.stmts.deleteTraceOccurrences).ExecContext(ctx, traces); err != nil {
		return nil, err
	}
	insIncident := tx.StmtContext(ctx, s.stmts.insertIncident)
	insOccurrence := tx.StmtContext(ctx, s.stmts.insertOccurrence)
	for i, sig := range signals {
		id := incident.ID(sig.Fingerprint)
		if _, err := insIncident.ExecContext(ctx, id, sig.Fingerprint, string(sig.Kind), sig.Title, sig.Service, sig.Endpoint); err != nil {
			return nil, fmt.Errorf("store: upsert incident: %w", err)
		}
		var art any
		if arts[i] != 0 {
			art = arts[i]
		}
		if _, err := insOccurrence.ExecContext(ctx, id, sig.TraceID, art, sig.Node, sig.Time, sig.Title, strings.Join(sig.Frames, ";")); err != nil {
			return nil, fmt.Errorf("store: insert occurrence: %w", err)
		}
		d := touched[id]
		if d == nil {
			d = &delta{first: sig.Time, last: sig.Time}
			touched[id] = d
		}
		d.added++
		d.first, d.last = min(d.first, sig.Time), max(d.last, sig.Time)
	}
	return touched, nil
}

// refreshIncidents recomputes counts and first/last seen of the touched
// incidents, drops those left without occurrences, and returns the rest.
// delta is what an ingest did to one incident's occurrences.
type delta struct {
	// recount: occurrences were deleted too (a trace re-derived), so the
	// counters are recomputed from the table.
	recount     bool
	added       int
	first, last int64
}

func (s *SQLite) refreshIncidents(ctx context.Context, tx *sql.Tx, touched map[string]*delta) ([]Incident, error) {
	var out []Incident
	refresh, sel, del := tx.StmtContext(ctx, s.stmts.refreshIncident), tx.StmtContext(ctx, s.stmts.selectIncident), tx.StmtContext(ctx, s.stmts.deleteIncident)
	bump := tx.StmtContext(ctx, s.stmts.bumpIncident)
	for id, d := range touched {
		// Counting an incident's occurrences costs as many rows as it has
		// ever had; when nothing was deleted, adding is enough.
		var err error
		if d.recount {
			_, err = refresh.ExecContext(ctx, id)
		} else {
			_, err = bump.ExecContext(ctx, id, d.added, d.first, d.last)
		}
		if err != nil {
			return nil, fmt.Errorf("store: refresh incident: %w", err)
		}
		var in Incident
		err = sel.QueryRowContext(ctx, id).
			Scan(&in.ID, &in.Fingerprint, &in.Kind, &in.Title, &in.Service, &in.Endpoint, &in.Count, &in.FirstSeen, &in.LastSeen)
		if err != nil {
			return nil, err
		}
		if in.Count == 0 {
			if _, err := del.ExecContext(ctx, id); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, in)
	}
	sortIncidents(out)
	return out, nil
}

func sortIncidents(in []Incident) {
	slices.SortFunc(in, func(a, b Incident) int { return strings.Compare(a.ID, b.ID) })
}
