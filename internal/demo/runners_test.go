package demo_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/demo"
	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/repro"
	"github.com/tagdebug/tag/internal/server"
	"github.com/tagdebug/tag/internal/store"
)

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

// harness is an embedded receiver on a scratch store, and an Env over it
// whose repository is TAG's own (the runners only read it).
func harness(t *testing.T) (*demo.Env, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &ingest.Pipeline{Store: st}
	cfg := server.DefaultConfig()
	cfg.OTLPHTTPAddr, cfg.OTLPGRPCAddr = "127.0.0.1:0", ""
	srv := server.New(cfg, p, nil)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	env := &demo.Env{
		Repo: evidencetest.RepoRoot(),
		Work: t.TempDir(),
		OTLP: "http://" + srv.HTTPAddr(),
		Ingest: func(ctx context.Context, a demo.Artifacts) error {
			q := *p
			q.Origin = ingest.Origin{Service: a.Service, Process: a.Process, SourceRoots: a.Src}
			_, err := q.Files(ctx, a.Files, "", nil)
			return err
		},
	}
	return env, st
}

// check runs an example and expects one target whose incident is stored
// and whose capsules load.
func check(t *testing.T, run func(context.Context, *demo.Env) ([]demo.Target, error)) (demo.Target, store.Store) {
	t.Helper()
	env, st := harness(t)
	var log strings.Builder
	env.Log = &log
	targets, err := run(context.Background(), env)
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || len(targets[0].Capsules) != 1 {
		t.Fatalf("targets %+v", targets)
	}
	tg := targets[0]
	if _, err := repro.LoadProcessCapsule(tg.Capsules[0]); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range ins {
		if tg.Matches(string(in.Kind), in.Service, in.Endpoint, in.Title) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d incidents match %+v: %+v", n, tg, ins)
	}
	return tg, st
}

func TestPyworker(t *testing.T) {
	needTools(t, "python3")
	tg, _ := check(t, demo.Pyworker)
	if len(tg.ExpectFlip) == 0 {
		t.Error("no tests that prove the bug")
	}
}

func TestLedger(t *testing.T) {
	needTools(t, "javac", "java", "jstack")
	tg, _ := check(t, demo.Ledger)
	c, err := repro.LoadProcessCapsule(tg.Capsules[0])
	if err != nil {
		t.Fatal(err)
	}
	if !c.StdinOpen || c.DumpOn == "" || !c.Expected.TimedOut {
		t.Errorf("the capsule does not hold the deadlock for a dump: %+v", c.Expected)
	}
}

// TestPyworkerExportFailure: a worker whose telemetry goes nowhere leaves
// the demo without its incident, which the runner reports.
func TestPyworkerExportFailure(t *testing.T) {
	needTools(t, "python3")
	env, _ := harness(t)
	env.OTLP = "http://127.0.0.1:1"
	_, err := demo.Pyworker(context.Background(), env)
	if err == nil || !strings.Contains(err.Error(), "otlp export") {
		t.Fatalf("err = %v, want the export failure", err)
	}
	if _, err := os.Stat(filepath.Join(env.Work, "pyworker.log")); err != nil {
		t.Error(err)
	}
}
