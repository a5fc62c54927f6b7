package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func (a *app) incidentsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "incidents",
		Short: "List incidents, most recently seen first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.store(cmd.Context())
			if err != nil {
				return err
			}
			ins, err := st.Incidents(cmd.Context())
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(ins)
			}
			if len(ins) == 0 {
				fmt.Fprintln(a.stdout, "no incidents")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tKIND\tCOUNT\tLAST SEEN\tSERVICE\tENDPOINT\tTITLE")
			for _, in := range ins {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\n", in.ID, in.Kind, in.Count, formatTime(in.LastSeen), in.Service, in.Endpoint, clipText(in.Title, 80))
			}
			return tw.Flush()
		},
	}
}

func formatTime(ns int64) string {
	if ns == 0 {
		return "-"
	}
	return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05Z")
}

// clipText shortens s to n runes, marking the cut with an ellipsis.
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
