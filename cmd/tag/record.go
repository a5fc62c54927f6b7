package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/repro"
)

// recordInfo is `tag record --json`.
type recordInfo struct {
	Capsule   string   `json:"capsule"`
	Command   string   `json:"command"`
	Exit      int      `json:"exit"`
	Signal    string   `json:"signal,omitempty"`
	TimedOut  bool     `json:"timed_out"`
	Seconds   float64  `json:"seconds"`
	Signature string   `json:"signature"`
	Failed    bool     `json:"failed"` // the signature (or a failing end) was seen
	Files     []string `json:"files"`
	Isolated  bool     `json:"isolated"`
}

// recordFlags are the options of `tag record`.
type recordFlags struct {
	output, dir, signature, dumpOn, onTimeout, stdin, responses string
	files, env, recordURLEnv                                    []string
	timeout                                                     time.Duration
	memoryMB                                                    int64
	stdinOpen                                                   bool
}

func (a *app) recordCommand() *cobra.Command {
	var f recordFlags
	cmd := &cobra.Command{
		Use:   "record [-o FILE] [--files GLOB]... [--signature RE] -- CMD ARGS...",
		Short: "Run a program once and capture a process capsule that replays its failure",
		Long: `Record a failing run of any program as a process capsule (JSON) that
'tag repro --capsule FILE' replays elsewhere: the command and arguments, the
working files (--files globs, else the arguments that name files), the
allowlisted environment (locale, TZ, runtime knobs; never credentials), stdin,
the exit status, digests of stdout and stderr, the failure signature, and
network answers: recorded live through a loopback proxy for the base-URL
variables named by --record-url-env, or given with --responses.

The run itself happens as a replay would: from the captured files in a throwaway
directory, with a time limit and a memory limit and without network where the OS
allows. On timeout (or when --dump-on matches) a JVM is dumped with jstack first.

  tag record -- python3 worker.py --cold
  tag record --stdin-open --dump-on DEADLOCK --timeout 30s -- java Ledger.java

Exit 0 when the failure was captured, 1 when the run did not fail, 2 on bad usage.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.record(cmd, args, f) },
	}
	cmd.Flags().SetInterspersed(false)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "tag-capsule.json", "where to write the capsule")
	fl.StringVar(&f.dir, "dir", ".", "directory to run in and take files from")
	fl.StringArrayVar(&f.files, "files", nil, "glob of working files to capture, relative to --dir (repeatable)")
	fl.StringVar(&f.signature, "signature", "", "regexp of the failure in the output (default: guessed)")
	fl.DurationVar(&f.timeout, "timeout", time.Minute, "wall-clock limit of the run")
	fl.Int64Var(&f.memoryMB, "memory-mb", 0, "address-space limit in MiB (default 8192)")
	fl.StringVar(&f.onTimeout, "on-timeout", "", "dump before killing on timeout: jstack | sigquit (java: jstack)")
	fl.StringVar(&f.dumpOn, "dump-on", "", "regexp: when the output shows it, dump and stop")
	fl.StringVar(&f.stdin, "stdin", "", "file to feed to the program's stdin")
	fl.BoolVar(&f.stdinOpen, "stdin-open", false, "keep stdin open until the program ends")
	fl.StringArrayVar(&f.env, "env", nil, "another environment variable to capture (repeatable)")
	fl.StringArrayVar(&f.recordURLEnv, "record-url-env", nil, "variable holding a base URL whose traffic is recorded through a loopback proxy (repeatable)")
	fl.StringVar(&f.responses, "responses", "", "JSON file of network answers to serve ({\"responses\": [...]})")
	return cmd
}

func (a *app) record(cmd *cobra.Command, args []string, f recordFlags) error {
	eng, err := a.redactor()
	if err != nil {
		return err
	}
	opts := repro.RecordOptions{Dir: f.dir, Files: f.files, Env: f.env, StdinOpen: f.stdinOpen,
		Timeout: f.timeout, MemoryBytes: f.memoryMB << 20, OnTimeout: f.onTimeout, DumpOn: f.dumpOn,
		Signature: f.signature, Output: f.output, Scrub: eng.RedactText, RecordURLEnv: f.recordURLEnv}
	if f.stdin != "" {
		if opts.Stdin, err = os.ReadFile(f.stdin); err != nil {
			return usageError{err}
		}
	}
	if f.responses != "" {
		if opts.Network, err = readResponses(f.responses); err != nil {
			return err
		}
	}
	start := time.Now()
	c, res, err := repro.Record(cmd.Context(), args[0], args[1:], opts)
	if c == nil {
		if err != nil && !errors.Is(err, cmd.Context().Err()) {
			return usageError{err}
		}
		return err
	}
	info := recordInfo{Capsule: f.output, Command: eng.RedactText(res.CommandLine()), Exit: res.ExitCode, Signal: res.Signal,
		TimedOut: res.TimedOut, Seconds: time.Since(start).Seconds(), Signature: eng.RedactText(c.Signature),
		Failed: err == nil, Files: []string{}, Isolated: res.Isolated}
	for _, file := range c.Files {
		info.Files = append(info.Files, eng.RedactText(file.Path))
	}
	if a.jsonOut {
		if perr := a.printJSON(info); perr != nil {
			return perr
		}
	} else {
		printRecord(a, info)
	}
	if errors.Is(err, repro.ErrNoFailure) {
		fmt.Fprintln(a.stderr, "tag: the run did not fail: no signature seen and exit status 0 (capsule written anyway)")
		return errSaidNo
	}
	return err
}

// readResponses reads a network recording: a Mock object.
func readResponses(path string) (*repro.Mock, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	var m repro.Mock
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", path, err)}
	}
	return &m, nil
}

func printRecord(a *app, info recordInfo) {
	end := fmt.Sprintf("exit %d", info.Exit)
	switch {
	case info.TimedOut:
		end = "dumped and stopped (time limit or --dump-on)"
	case info.Signal != "":
		end = "killed by " + info.Signal
	}
	fmt.Fprintf(a.stdout, "recorded %s: %s in %.1fs\n", info.Command, end, info.Seconds)
	seen := "seen"
	if !info.Failed {
		seen = "NOT seen"
	}
	sig := info.Signature
	if sig == "" {
		sig = "(none: the exit status decides)"
	}
	fmt.Fprintf(a.stdout, "signature: %s (%s)\n", sig, seen)
	fmt.Fprintf(a.stdout, "capsule: %s (%d file(s): %s)\n", info.Capsule, len(info.Files), strings.Join(info.Files, ", "))
	if !info.Isolated {
		fmt.Fprintln(a.stdout, "note: network isolation unavailable; the run could reach the network")
	}
}
