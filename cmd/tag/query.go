package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/queryenv"
	"github.com/tagdebug/tag/internal/store"
	"github.com/tagdebug/tag/query"
)

// maxBaselineArtifacts bounds the stored artifacts diff() reads for its
// healthy cohort (the most recent ones).
const maxBaselineArtifacts = 256

func (a *app) queryCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "query INCIDENT 'DSL'",
		Short: "Run a slice-language query on an incident's EPG",
		Long: `Evaluate a query of the slice language (see query/GRAMMAR.md) against the
Execution Path Graph of the incident's representative occurrence, for example

  tag query 7c9c 'slice.backward(from=event(kind="deadlock")).limit(20)'
  tag query 7839 'critical_path()' --json
  tag query 7839 'diff(baseline="stored")' --json
  tag query 7c9c 'lock_cycles()'

The result is nodes and edges (and, for analyses, their findings under data);
--json prints it whole. A bad query exits 2 with the line, column and a caret
under the problem.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			v, err := inspect.Load(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			if v.Graph == nil {
				return fmt.Errorf("incident %s has no stored evidence", v.Incident.ID)
			}
			env := queryenv.New(func() ([]*epg.Graph, error) { return baselineGraphs(cmd.Context(), st) })
			res, err := query.Run(v.Graph, args[1], env)
			var qe *query.Error
			if errors.As(err, &qe) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(res)
			}
			a.printQuery(res)
			return nil
		},
	}
}

// baselineGraphs merges the most recent stored artifacts into one graph
// for diff()'s healthy cohort.
func baselineGraphs(ctx context.Context, st store.Store) ([]*epg.Graph, error) {
	arts, err := st.Artifacts(ctx)
	if err != nil {
		return nil, err
	}
	if len(arts) > maxBaselineArtifacts {
		arts = arts[len(arts)-maxBaselineArtifacts:]
	}
	ids := make([]int64, len(arts))
	for i, a := range arts {
		ids[i] = a.ID
	}
	frags, err := st.Fragments(ctx, ids)
	if err != nil {
		return nil, err
	}
	b := epg.NewBuilder()
	for _, f := range frags {
		b.Add(f)
	}
	return []*epg.Graph{b.Build()}, nil
}

func (a *app) printQuery(r *query.Result) {
	w := a.stdout
	for _, n := range r.Nodes {
		role := ""
		if n.Role != "" {
			role = " [" + n.Role + "]"
		}
		loc := ""
		if n.Location != nil && n.Location.File != "" {
			loc = fmt.Sprintf("  %s:%d", n.Location.File, n.Location.Line)
		}
		summary := n.Summary
		if summary == "" {
			summary = n.Name
		}
		fmt.Fprintf(w, "%-8s %s%s%s\n", n.Kind, summary, loc, role)
	}
	fmt.Fprintf(w, "%d nodes, %d edges", len(r.Nodes), len(r.Edges))
	if c := r.Cut; c != (query.Cut{}) {
		fmt.Fprintf(w, " (left out: depth %d, limit %d, through %d, where %d, project %d)", c.Depth, c.Limit, c.Filtered, c.Where, c.Project)
	}
	fmt.Fprintln(w)
	if r.Data != nil {
		fmt.Fprintln(w, "analysis data: use --json to see it")
	}
}
