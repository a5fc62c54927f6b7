package ledger_test

import (
	"bufio"
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

// TestLedgerDeadlocks compiles and runs the ledger's stress mode in a real
// JVM, waits for the JVM to report the deadlock, takes a jstack dump of
// it, and ingests the dump: the incident is a deadlock between the two
// monitors, with f and g as the acquisition sites.
func TestLedgerDeadlocks(t *testing.T) {
	for _, tool := range []string{"javac", "java", "jstack"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := t.TempDir()
	if out, err := exec.Command("javac", "-d", dir, "Ledger.java").CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jvm := exec.CommandContext(ctx, "java", "-cp", dir, "Ledger", "stress", "60")
	stdin, _ := jvm.StdinPipe()
	stdout, _ := jvm.StdoutPipe()
	if err := jvm.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		jvm.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "DEADLOCK") {
		t.Fatalf("the ledger did not deadlock: %q %v", line, err)
	}
	dump, err := exec.Command("jstack", "-l", strings.TrimSpace(line[strings.LastIndex(line, " ")+1:])).Output()
	if err != nil {
		t.Fatalf("jstack: %v", err)
	}
	path := filepath.Join(dir, "ledger-jstack.txt")
	if err := os.WriteFile(path, dump, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := (&ingest.Pipeline{Store: st}).Files(ctx, []string{path}, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.Kind != "deadlock" {
			continue
		}
		v, err := inspect.Load(ctx, st, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := rca.Analyze(v)
		var fns []string
		for _, c := range r.Candidates[:min(2, len(r.Candidates))] {
			fns = append(fns, c.Function)
		}
		got := strings.Join(fns, " ")
		if !strings.Contains(got, "Ledger.f") || !strings.Contains(got, "Ledger.g") {
			t.Errorf("deadlock %q: top candidates %v, want Ledger.f and Ledger.g", in.Title, fns)
		}
		return
	}
	t.Fatalf("no deadlock incident: %+v", ins)
}
