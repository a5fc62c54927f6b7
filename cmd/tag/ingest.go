package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagdebug/tag/internal/ingest"
)

func (a *app) ingestCommand() *cobra.Command {
	var format string
	var deadline time.Duration
	var origin ingest.Origin
	cmd := &cobra.Command{
		Use:   "ingest [--format F] FILE...",
		Short: "Decode, redact and store evidence files (format auto-detected)",
		Long: `Decode evidence files into the Execution Path Graph, redact them and store them,
deriving incidents. All files are one transaction: if any file is bad, nothing
is stored and the error names the file and the byte offset or line.

Runtime artifacts (dumps, profiles, execution traces) rarely name their
process: give --process to let several artifacts of one process share thread
and lock identities, and --src to let decoders read source lines (to name the
lock a statement takes).

Formats (auto-detected): ` + formatNames() + `.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.pipeline(cmd.Context())
			if err != nil {
				return err
			}
			if deadline > 0 {
				p.Detect.Deadline = deadline
			}
			p.Origin = origin
			var prog *barProgress
			if !a.jsonOut && isTerminal(a.stderr) {
				prog = &barProgress{}
			}
			start := time.Now()
			var pr ingest.Progress
			if prog != nil {
				pr = prog
			}
			r, err := p.Files(cmd.Context(), args, format, pr)
			if prog != nil {
				prog.finish()
			}
			if err != nil {
				return err
			}
			if a.jsonOut {
				return a.printJSON(ingestOutput{Result: r, Seconds: time.Since(start).Seconds()})
			}
			for _, f := range r.Files {
				state := fmt.Sprintf("artifact %d", f.Artifact)
				if f.Duplicate {
					state = "already stored"
				}
				fmt.Fprintf(a.stdout, "%s: %s, %d nodes, %d edges, %d traces (%s)\n", f.Name, f.Format, f.Nodes, f.Edges, f.Traces, state)
			}
			if len(r.Incidents) == 0 {
				fmt.Fprintln(a.stdout, "no incidents")
			}
			for _, in := range r.Incidents {
				fmt.Fprintf(a.stdout, "incident %s  %-9s ×%d  %s\n", in.ID, in.Kind, in.Count, in.Title)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "evidence format (default: auto-detect)")
	cmd.Flags().DurationVar(&deadline, "deadline", 0, "treat spans longer than this as timeouts")
	cmd.Flags().StringVar(&origin.Service, "service", "", "service the evidence came from, where it does not say")
	cmd.Flags().StringVar(&origin.Process, "process", "", "process identity (e.g. host/pid) shared by artifacts of one process")
	cmd.Flags().StringArrayVar(&origin.SourceRoots, "src", nil, "directory with the program's source (repeatable)")
	return cmd
}

// formatNames lists the decoders' formats in detection order.
func formatNames() string {
	var names []string
	for _, d := range ingest.Decoders() {
		names = append(names, d.Format())
	}
	return strings.Join(names, ", ")
}

// ingestOutput is `tag ingest --json`.
type ingestOutput struct {
	*ingest.Result
	Seconds float64 `json:"seconds"`
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// barProgress draws a byte progress bar on stderr.
type barProgress struct{ bar *progressbar.ProgressBar }

func (b *barProgress) Total(n int64) {
	b.bar = progressbar.NewOptions64(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("reading"), progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish())
}
func (b *barProgress) Add(n int64)       { b.bar.Add64(n) }
func (b *barProgress) Phase(desc string) { b.bar.Describe(desc) }
func (b *barProgress) finish() {
	if b.bar != nil {
		b.bar.Finish()
	}
}
