package template

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tagdebug/tag/internal/repair"
)

// ledgerDump runs the ledger's stress mode in a real JVM until the JVM
// reports the deadlock, and returns jstack's dump of it.
func ledgerDump(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"javac", "java", "jstack"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	if testing.Short() {
		t.Skip("runs a JVM")
	}
	dir := t.TempDir()
	src := filepath.Join(repoRoot(), "examples", "ledger", "Ledger.java")
	if out, err := exec.Command("javac", "-d", dir, src).CombinedOutput(); err != nil {
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
	must(t, err == nil && strings.HasPrefix(line, "DEADLOCK"), "the ledger did not deadlock: %q %v", line, err)
	dump, err := exec.Command("jstack", "-l", strings.TrimSpace(line[strings.LastIndex(line, " ")+1:])).Output()
	if err != nil {
		t.Fatalf("jstack: %v", err)
	}
	return string(dump)
}

// TestLedgerLockOrder: the real jstack dump of the ledger's deadlock.
func TestLedgerLockOrder(t *testing.T) {
	rep, g := report(t, "deadlock", []string{filepath.Join(repoRoot(), "examples", "ledger")}, evidenceFile(t, "ledger-jstack.txt", ledgerDump(t)))
	req := &repair.Request{Report: rep, Graph: g}
	c := propose(t, req, "lock-order")
	recordCase(t, "ledger f/g (deadlock)", req, c)

	orig, err := os.ReadFile(filepath.Join(repoRoot(), "examples", "ledger", "Ledger.java"))
	if err != nil {
		t.Fatal(err)
	}
	test := applied(t, repoRoot(), c.Test)
	fixed := applied(t, repoRoot(), c.Patch)
	before := map[string]string{"Ledger.java": string(orig)}
	for k, v := range test {
		before[k], fixed[k] = v, v
	}
	run := "javac -d . *.java && java -cp . " + c.TestName
	var okB, okA bool
	var outB, outA string
	var wg sync.WaitGroup
	wg.Go(func() { okB, outB = runIn(t, before, "sh", "-c", run) })
	wg.Go(func() { okA, outA = runIn(t, fixed, "sh", "-c", run) })
	wg.Wait()
	if okB {
		t.Errorf("the regression test passes before the patch:\n%s", outB)
	}
	if !okA {
		t.Errorf("the regression test fails with the patch:\n%s", outA)
	}
}
