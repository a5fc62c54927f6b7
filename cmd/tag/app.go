package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/store"
)

// app holds the global flags and lazily opened resources of one run.
type app struct {
	stdout, stderr io.Writer
	storeFlag      string
	configFlag     string
	policyFlag     string
	jsonOut        bool
	cfg            config
	st             store.Store
	eng            *redact.Engine
	guard          *redact.Guard
	audit          io.Closer
}

// config is the --config file (YAML). Flags override it.
type config struct {
	Store  string `yaml:"store"`
	Redact struct {
		// Policy is a redaction policy file; empty means the built-in one.
		Policy string `yaml:"policy"`
	} `yaml:"redact"`
	Incidents struct {
		Deadline time.Duration            `yaml:"deadline"`
		SLO      map[string]time.Duration `yaml:"slo"`
	} `yaml:"incidents"`
	Serve struct {
		OTLPHTTP string `yaml:"otlp_http"`
		OTLPGRPC string `yaml:"otlp_grpc"`
		HTTP     string `yaml:"http"`
		Queue    int    `yaml:"queue"`
	} `yaml:"serve"`
}

func newApp(stdout, stderr io.Writer) *app { return &app{stdout: stdout, stderr: stderr} }

// usageError marks errors in how tag was called (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errSaidNo is returned when a command ran and its answer is no (exit 1).
var errSaidNo = errors.New("no")

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "tag",
		Short: "Trace-Augmented Debug: from production evidence to root cause and fix",
		Long: `TAG turns what actually happened in production — OpenTelemetry traces and logs,
stack traces and dumps — into incidents grounded in that evidence.

Evidence is decoded into an Execution Path Graph, redacted, and stored under
--store (default $TAG_HOME, else ./.tag).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.loadConfig()
		},
	}
	root.PersistentFlags().StringVar(&a.storeFlag, "store", "", "store directory (default $TAG_HOME, else ./.tag)")
	root.PersistentFlags().StringVar(&a.configFlag, "config", "", "YAML config file")
	root.PersistentFlags().BoolVar(&a.jsonOut, "json", false, "print machine-readable JSON")
	root.PersistentFlags().StringVar(&a.policyFlag, "policy", "", "redaction policy YAML (default: the built-in policy)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(a.ingestCommand(), a.incidentsCommand(), a.showCommand(), a.versionCommand(), a.serveCommand(), a.demoCommand(), a.redactCommand(), a.keyCommand(), a.analyzeCommand(), a.queryCommand(), a.reproCommand(), a.fixCommand())
	root.AddCommand(a.recordCommand())
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	}
	return root
}

func (a *app) loadConfig() error {
	if a.configFlag == "" {
		return nil
	}
	data, err := os.ReadFile(a.configFlag)
	if err != nil {
		return usageError{fmt.Errorf("config: %w", err)}
	}
	if err := yaml.Unmarshal(data, &a.cfg); err != nil {
		return usageError{fmt.Errorf("config %s: %w", a.configFlag, err)}
	}
	return nil
}

// storeDir resolves --store, the config, $TAG_HOME and the default.
func (a *app) storeDir() string {
	for _, s := range []string{a.storeFlag, a.cfg.Store, os.Getenv("TAG_HOME")} {
		if s != "" {
			return s
		}
	}
	return filepath.Join(".", ".tag")
}

func (a *app) store(ctx context.Context) (store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	st, err := store.OpenSQLite(ctx, a.storeDir())
	if err != nil {
		return nil, err
	}
	a.st = st
	return st, nil
}

func (a *app) pipeline(ctx context.Context) (*ingest.Pipeline, error) {
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	eng, err := a.redactor()
	if err != nil {
		return nil, err
	}
	return &ingest.Pipeline{Store: st, Redactor: eng, Detect: incident.Options{Deadline: a.cfg.Incidents.Deadline, SLO: a.cfg.Incidents.SLO}}, nil
}

// policy loads --policy, else the config's redact.policy, else the
// built-in default.
func (a *app) policy() (*redact.Policy, error) {
	path := a.policyFlag
	if path == "" {
		path = a.cfg.Redact.Policy
	}
	if path == "" {
		return redact.DefaultPolicy(), nil
	}
	p, err := redact.LoadPolicy(path)
	if err != nil {
		return nil, usageError{err}
	}
	return p, nil
}

// redactor returns the engine every ingest goes through: the policy keyed
// by the installation key under the store directory (created on first
// use, 0600).
func (a *app) redactor() (*redact.Engine, error) {
	if a.eng != nil {
		return a.eng, nil
	}
	eng, err := a.engineFor(a.storeDir())
	a.eng = eng
	return eng, err
}

// engineFor is the policy keyed by the installation key of the store in
// dir.
func (a *app) engineFor(dir string) (*redact.Engine, error) {
	p, err := a.policy()
	if err != nil {
		return nil, err
	}
	key, err := redact.LoadOrCreateKey(dir)
	if err != nil {
		return nil, err
	}
	return redact.New(p, key)
}

// egressGuard returns the guard for payloads that leave TAG (API
// responses), auditing refusals to egress-audit.jsonl under the store.
func (a *app) egressGuard() (*redact.Guard, error) {
	if a.guard != nil {
		return a.guard, nil
	}
	eng, err := a.redactor()
	if err != nil {
		return nil, err
	}
	f, err := redact.OpenAuditLog(filepath.Join(a.storeDir(), "egress-audit.jsonl"))
	if err != nil {
		return nil, err
	}
	a.audit = f
	a.guard = redact.NewGuard(eng, f)
	return a.guard, nil
}

func (a *app) close() {
	if a.st != nil {
		a.st.Close()
	}
	if a.audit != nil {
		a.audit.Close()
	}
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// exitCode maps an error to the contract's exit codes and prints it.
func (a *app) exitCode(err error) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errSaidNo) {
		return 1
	}
	// Errors can quote evidence (a decoder naming the bad token it saw):
	// they pass the redactor like everything else shown.
	msg := err.Error()
	if a.eng != nil {
		msg = a.eng.RedactText(msg)
	}
	fmt.Fprintln(a.stderr, "tag:", msg)
	var ue usageError
	if errors.As(err, &ue) || errors.Is(err, evidence.ErrBadInput) || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAmbiguous) || isCobraUsage(err) {
		return 2
	}
	return 1
}

func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
