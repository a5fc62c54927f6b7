package pyworker_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
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
