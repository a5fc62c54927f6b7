package pyworker_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/server"
	"github.com/tagdebug/tag/internal/store"
)

func python(t *testing.T) string {
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	return p
}

// TestUnittests runs the worker's own suite, which proves the bug.
func TestUnittests(t *testing.T) {
	cmd := exec.Command(python(t), "-m", "unittest", "-v", "test_worker")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}

// TestColdCacheIncident runs a real cold-cache job, ingests its JSON log
// and expects an exception incident whose top candidate is top_k_users.
func TestColdCacheIncident(t *testing.T) {
	out, err := exec.Command(python(t), "worker.py", "--cold").Output()
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "worker.jsonl")
	if err := os.WriteFile(log, out, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := (&ingest.Pipeline{Store: st}).Files(ctx, []string{log}, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil || len(ins) != 1 || ins[0].Kind != "exception" {
		t.Fatalf("incidents %+v %v", ins, err)
	}
	v, err := inspect.Load(ctx, st, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r := rca.Analyze(v)
	if len(r.Candidates) == 0 || !strings.Contains(r.Candidates[0].Function, "top_k_users") {
		t.Errorf("candidates %+v, want top_k_users first", r.Candidates)
	}
}

// TestOTLPExportIncident runs healthy jobs and the cold one with the
// worker exporting OTLP/HTTP JSON to a real receiver: the failed job's
// span and log record are one exception incident, and the healthy jobs
// none.
func TestOTLPExportIncident(t *testing.T) {
	py := python(t)
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := server.DefaultConfig()
	cfg.OTLPHTTPAddr, cfg.OTLPGRPCAddr = "127.0.0.1:0", ""
	srv := server.New(cfg, &ingest.Pipeline{Store: st}, nil)
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	cmd := exec.Command(py, "worker.py", "--jobs", "3", "--cold")
	cmd.Env = append(os.Environ(), "OTEL_EXPORTER_OTLP_ENDPOINT=http://"+srv.HTTPAddr())
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "otlp export") {
		t.Fatalf("worker: %v\n%s", err, out)
	}
	ins, err := st.Incidents(ctx)
	if err != nil || len(ins) != 1 || ins[0].Kind != "exception" || ins[0].Service != "pyworker" {
		t.Fatalf("incidents %+v %v", ins, err)
	}
	v, err := inspect.Load(ctx, st, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r := rca.Analyze(v)
	if len(r.Candidates) == 0 || !strings.Contains(r.Candidates[0].Function, "top_k_users") {
		t.Errorf("candidates %+v, want top_k_users first", r.Candidates)
	}
	t.Logf("%s %s %q endpoint %q", ins[0].ID, ins[0].Kind, ins[0].Title, ins[0].Endpoint)
}
