package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
)

func (a *app) analyzeCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "analyze INCIDENT",
		Short: "The typed root-cause report: root cause, ranked candidate locations, evidence",
		Long: `Analyze an incident's representative occurrence and print the root-cause report:
the root cause with its code location, candidate locations ranked best first
with the reason for each, the critical failure, the impact, the evidence chain
as graph node references, and the slice of the graph it rests on. Each incident
kind ranks with its best evidence: an exception chain's innermost cause before
the frame that finally crashed, a deadlock's acquisition sites on the lock
cycle, a race's two accesses, the stacks blocked or leaked goroutines share,
the slowest span's own work. Lists are bounded and say what they left out.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			v, err := inspect.Load(cmd.Context(), st, args[0])
			if err != nil {
				return err
			}
			r := rca.Analyze(v)
			if a.jsonOut {
				return a.printJSON(r)
			}
			a.printReport(r)
			return nil
		},
	}
}

func (a *app) printReport(r *rca.Report) {
	w := a.stdout
	fmt.Fprintf(w, "incident %s  %s  %s\n\n", r.Incident, r.Kind, r.Title)
	fmt.Fprintf(w, "root cause  %s\n", r.RootCause.Summary)
	fmt.Fprintf(w, "failure     %s\n", r.CriticalFailure)
	fmt.Fprintf(w, "impact      %s\n\n", r.Impact)
	fmt.Fprintln(w, "candidates")
	for i, c := range r.Candidates {
		loc := c.File
		if c.Line > 0 {
			loc = fmt.Sprintf("%s:%d", c.File, c.Line)
		}
		fmt.Fprintf(w, "  %2d. %.3f  %s  %s\n        %s\n", i+1, c.Score, c.Function, loc, c.Why)
	}
	if r.OmittedCandidates > 0 {
		fmt.Fprintf(w, "      (%d more)\n", r.OmittedCandidates)
	}
	fmt.Fprintln(w, "\nevidence")
	for _, e := range r.Evidence {
		fmt.Fprintf(w, "  %-10s %s\n", e.Kind, e.Summary)
	}
	if r.OmittedEvidence > 0 {
		fmt.Fprintf(w, "  (%d more)\n", r.OmittedEvidence)
	}
	fmt.Fprintf(w, "\nslice: %d nodes, %d edges", len(r.Slice.Nodes), len(r.Slice.Edges))
	if r.Slice.OmittedNodes > 0 {
		fmt.Fprintf(w, " (%d nodes left out)", r.Slice.OmittedNodes)
	}
	fmt.Fprintln(w)
}
