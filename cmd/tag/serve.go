package main

import "github.com/spf13/cobra"

func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{Use: "serve", Short: "Run the OTLP receivers", RunE: func(*cobra.Command, []string) error { return nil }}
}
