package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/redact/rewrite"
)

// redactFile is one file of `tag redact --json`.
type redactFile struct {
	File    string          `json:"file"`
	Format  string          `json:"format"`
	Policy  string          `json:"policy"`
	Copy    string          `json:"copy,omitempty"`
	Count   int             `json:"changes_count"`
	Changes []redact.Change `json:"changes,omitempty"`
}

func (a *app) redactCommand() *cobra.Command {
	var dryRun bool
	var format, outDir string
	cmd := &cobra.Command{
		Use:   "redact [--policy P] [--dry-run] FILE...",
		Short: "Show what a redaction policy changes in evidence files, or write redacted copies",
		Long: `Apply a redaction policy (--policy, default the built-in one) to evidence files.

With --dry-run, decode each file as ingest would and show, as a diff, every value
the policy changes: the attribute, the rule, the value masked ("ab…yz") and
what replaces it. Nothing is written.

Without it, write a redacted copy of each file in its own format next to it
(NAME.redacted.EXT) or into --out: JSON evidence (OTLP, Jaeger, Zipkin, JSON
logs) value by value under the field rules, OTLP protobuf and pprof through
their models, text (dumps, crash output, logfmt) through the detectors. A copy
that would still carry a detected secret is not written. Tokens use the
installation key under --store, so they join with stored evidence.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := a.redactor()
			if err != nil {
				return err
			}
			var out []redactFile
			for _, path := range args {
				r, err := a.redactOne(cmd, eng, path, format, outDir, dryRun)
				if err != nil {
					return err
				}
				out = append(out, r)
			}
			if a.jsonOut {
				return a.printJSON(out)
			}
			for _, r := range out {
				a.printRedact(r, dryRun)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show the changes as a diff; write nothing")
	cmd.Flags().StringVar(&format, "format", "", "evidence format (default: auto-detect)")
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "directory for the redacted copies (default: beside each file)")
	return cmd
}

func (a *app) redactOne(cmd *cobra.Command, eng *redact.Engine, path, format, outDir string, dryRun bool) (redactFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return redactFile{}, fmt.Errorf("%w: %v", evidence.ErrBadInput, err)
	}
	in := &evidence.Input{Name: path, Data: data}
	f, err := ingest.Decode(cmd.Context(), ingest.Decoders(), in, format)
	if err != nil {
		return redactFile{}, err
	}
	changes := eng.DryRun(f)
	r := redactFile{File: path, Format: f.Format, Policy: eng.Version(), Count: len(changes)}
	if dryRun {
		r.Changes = changes
		return r, nil
	}
	cp, err := rewrite.Copy(eng, f.Format, data)
	if errors.Is(err, rewrite.ErrUnsupported) {
		return redactFile{}, usageError{fmt.Errorf("%s: %w", path, err)}
	}
	if err != nil {
		return redactFile{}, fmt.Errorf("%s: %w", path, err)
	}
	r.Copy = copyPath(path, outDir)
	if err := writeAtomic(r.Copy, cp); err != nil {
		return redactFile{}, err
	}
	return r, nil
}

// copyPath names a redacted copy: NAME.redacted.EXT beside the file, or
// the file's own name under outDir.
func copyPath(path, outDir string) string {
	if outDir != "" {
		return filepath.Join(outDir, filepath.Base(path))
	}
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".redacted" + ext
}

// writeAtomic writes through a temporary file and a rename, so a failed
// run never leaves half a copy.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tag-redact-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (a *app) printRedact(r redactFile, dryRun bool) {
	if !dryRun {
		fmt.Fprintf(a.stdout, "%s → %s (%s, %d values redacted, policy %s)\n", r.File, r.Copy, r.Format, r.Count, r.Policy)
		return
	}
	fmt.Fprintf(a.stdout, "=== %s (%s): %d changes under policy %s\n", r.File, r.Format, r.Count, r.Policy)
	redact.WriteDiff(a.stdout, r.Changes)
}
