package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	examples "github.com/tagdebug/tag/examples/evidence"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/store"
)

// demoRow is one line of `tag demo --json` (DESIGN.md §4). Stages that do
// not exist yet report what they did: nothing.
type demoRow struct {
	Example    string  `json:"example"`
	Incident   string  `json:"incident"`
	Kind       string  `json:"kind"`
	RootCause  string  `json:"root_cause"`
	Reproduced bool    `json:"reproduced"`
	Verdict    string  `json:"verdict"`
	Seconds    float64 `json:"seconds"`
	Bundle     string  `json:"bundle"`
}

func (a *app) demoCommand() *cobra.Command {
	var keep bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run TAG on the bundled example evidence in a scratch store",
		Long: `Ingest the bundled example evidence (OTLP traces and logs of failing requests,
a goroutine dump of a deadlocked service) into a scratch store, derive the incidents and show the evidence behind each.
Reproduction and repair join the loop as those stages land; until then their
columns say "not-run".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir, err := os.MkdirTemp("", "tag-demo-")
			if err != nil {
				return err
			}
			if !keep {
				defer os.RemoveAll(dir)
			}
			var paths []string
			err = fs.WalkDir(examples.Files, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := examples.Files.ReadFile(p)
				if err != nil {
					return err
				}
				dst := filepath.Join(dir, "evidence", p)
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					return err
				}
				if !strings.HasPrefix(p, "_src/") {
					paths = append(paths, dst)
				}
				return os.WriteFile(dst, data, 0o644)
			})
			if err != nil {
				return err
			}
			st, err := store.OpenSQLite(ctx, filepath.Join(dir, "store"))
			if err != nil {
				return err
			}
			defer st.Close()
			start := time.Now()
			eng, err := a.engineFor(filepath.Join(dir, "store"))
			if err != nil {
				return err
			}
			p := &ingest.Pipeline{Store: st, Redactor: eng}
			// The dumps' program source lets decoders name locks from code.
			p.Origin.SourceRoots = []string{filepath.Join(dir, "evidence", "_src")}
			// Traces and logs name their services; a dump does not, so the
			// example's file name says which service it was taken from.
			var traces, dumps []string
			for _, path := range paths {
				if strings.HasSuffix(path, ".txt") {
					dumps = append(dumps, path)
				} else {
					traces = append(traces, path)
				}
			}
			if _, err := p.Files(ctx, traces, "", nil); err != nil {
				return err
			}
			for _, path := range dumps {
				p.Origin.Service, _, _ = strings.Cut(filepath.Base(path), "-")
				if _, err := p.Files(ctx, []string{path}, "", nil); err != nil {
					return err
				}
			}
			ins, err := st.Incidents(ctx)
			if err != nil {
				return err
			}
			rows := []demoRow{}
			for _, in := range ins {
				v, err := inspect.Load(ctx, st, in.ID)
				if err != nil {
					return err
				}
				r := rca.Analyze(v)
				rows = append(rows, demoRow{Example: in.Service, Incident: in.ID, Kind: in.Kind, RootCause: r.RootCause.Summary,
					Verdict: "not-run", Seconds: time.Since(start).Seconds()})
				if !a.jsonOut {
					a.printReport(r)
					fmt.Fprintln(a.stdout)
				}
			}
			if a.jsonOut {
				return a.printJSON(rows)
			}
			fmt.Fprintf(a.stdout, "%d incidents from %d evidence files in %s", len(rows), len(paths), time.Since(start).Round(time.Millisecond))
			if keep {
				fmt.Fprintf(a.stdout, "; store kept at %s", filepath.Join(dir, "store"))
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the scratch store and print its path")
	return cmd
}
