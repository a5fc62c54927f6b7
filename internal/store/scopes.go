package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// maxRelated bounds how many artifacts a join by service, process and
// time pulls in, so that a busy service's thousandth log batch does not
// drag the other 999 into every graph.
const maxRelated = 16

// scope is where and when an artifact's nodes live: a service or a
// process, and the time window its nodes cover.
type scope struct {
	kind, name string // "service" or "process"
	start, end int64
}

// scopesOf lists the services and processes a fragment speaks of, with
// the window of its timed nodes. Evidence without trace context (dumps,
// profiles, logs) joins other evidence through these.
func scopesOf(f *epg.Fragment) []scope {
	idx := map[[2]string]int{}
	var out []scope
	note := func(kind, name string, n *epg.Node) {
		if name == "" {
			return
		}
		k := [2]string{kind, name}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, scope{kind: kind, name: name})
		}
		s := &out[i]
		if n.Start > 0 && (s.start == 0 || n.Start < s.start) {
			s.start = n.Start
		}
		if end := max(n.End, n.Start); end > s.end {
			s.end = end
		}
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		note("service", n.Service, n)
		if n.Kind == epg.KindThread {
			note("process", processOf(n.ID), n)
		}
	}
	return out
}

// processOf extracts the scope of a thread node ID ("thread:<scope>:<id>"),
// ignoring the per-artifact scopes decoders invent when no process was
// named, since those never match another artifact.
func processOf(threadID string) string {
	rest, ok := strings.CutPrefix(threadID, "thread:")
	if !ok {
		return ""
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || strings.HasPrefix(rest, "artifact-") {
		return ""
	}
	return rest[:i]
}

func (s *SQLite) insertScopes(ctx context.Context, tx *sql.Tx, artifact int64, f *epg.Fragment) error {
	ins := tx.StmtContext(ctx, s.stmts.insertScope)
	for _, sc := range scopesOf(f) {
		if _, err := ins.ExecContext(ctx, sc.kind, sc.name, artifact, sc.start, sc.end); err != nil {
			return fmt.Errorf("store: index scopes: %w", err)
		}
	}
	return nil
}

// relatedArtifacts returns stored artifacts, other than those in exclude,
// that share a process with f, or a service over an overlapping window
// (widened by slack on both sides), most recent first, at most maxRelated.
func relatedArtifacts(ctx context.Context, q querier, scopes []scope, exclude map[int64]bool, slack int64) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for _, s := range scopes {
		var rows *sql.Rows
		var err error
		switch {
		case s.kind == "process":
			rows, err = q.QueryContext(ctx, `SELECT artifact_id FROM artifact_scopes WHERE kind = 'process' AND name = ? ORDER BY artifact_id DESC LIMIT ?`,
				s.name, maxRelated+len(exclude))
		case s.start > 0:
			rows, err = q.QueryContext(ctx, `SELECT artifact_id FROM artifact_scopes WHERE kind = 'service' AND name = ? AND start_ns <= ? AND end_ns >= ? AND start_ns > 0
				ORDER BY artifact_id DESC LIMIT ?`, s.name, s.end+slack, s.start-slack, maxRelated+len(exclude))
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			if !exclude[id] && !seen[id] && len(out) < maxRelated {
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
