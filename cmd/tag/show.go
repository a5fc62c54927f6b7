package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/inspect"
)

func (a *app) showCommand() *cobra.Command {
	var withGraph bool
	cmd := &cobra.Command{
		Use:   "show INCIDENT",
		Short: "Show an incident: occurrences, evidence and timeline",
		Long: `Show an incident by ID (or a unique prefix): its occurrences, the evidence
behind the most recent one (the exception and its frames, the spans it passed
through, correlated logs) and that occurrence's timeline. --json adds the
occurrence's EPG.`,
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
			if a.jsonOut {
				return a.printJSON(v)
			}
			a.printView(v, withGraph)
			return nil
		},
	}
	cmd.Flags().BoolVar(&withGraph, "graph", false, "also list the EPG's nodes and edges")
	return cmd
}

func (a *app) printView(v *inspect.View, withGraph bool) {
	w := a.stdout
	in := v.Incident
	fmt.Fprintf(w, "incident %s  %s\n", in.ID, in.Title)
	fmt.Fprintf(w, "  kind %s · service %s · endpoint %s · %d occurrence(s) · first %s · last %s\n",
		in.Kind, orDash(in.Service), orDash(in.Endpoint), in.Count, formatTime(in.FirstSeen), formatTime(in.LastSeen))
	fmt.Fprintf(w, "  fingerprint %s\n", in.Fingerprint)
	fmt.Fprintln(w, "\noccurrences:")
	for i, o := range v.Occurrences {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more\n", len(v.Occurrences)-10)
			break
		}
		fmt.Fprintf(w, "  %s  trace %s  %s\n", formatTime(o.Time), orDash(o.TraceID), o.Title)
	}
	if len(v.Evidence) > 0 {
		fmt.Fprintln(w, "\nevidence (most recent occurrence):")
		for _, e := range v.Evidence {
			fmt.Fprintf(w, "  %-10s %s\n", e.Kind, e.Summary)
		}
	}
	if len(v.Timeline) > 0 {
		fmt.Fprintln(w, "\ntimeline:")
		for _, t := range v.Timeline {
			dur := ""
			if t.Duration > 0 {
				dur = " (" + time.Duration(t.Duration).Round(time.Microsecond).String() + ")"
			}
			mark := ""
			if t.Status == "error" {
				mark = "  ✗"
			}
			fmt.Fprintf(w, "  +%-10s %s%s %s%s%s\n", time.Duration(t.OffsetNS).Round(time.Microsecond), strings.Repeat("  ", min(t.Depth, 20)),
				t.Service+":", t.Name, dur, mark)
		}
	}
	if withGraph && v.Graph != nil {
		g := v.Graph
		fmt.Fprintf(w, "\ngraph: %d nodes, %d edges\n", g.NumNodes(), g.NumEdges())
		for e := int32(0); e < int32(g.NumEdges()); e++ {
			from, to := g.Ends(e)
			fmt.Fprintf(w, "  %s -%s-> %s\n", g.Node(from).ID, g.Edge(e).Kind, g.Node(to).ID)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
