package report

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/repair"
)

// The fixture: a tiny Go module whose Store.Add returns early with its
// mutex held (a deadlock on the next call), the template fix (defer the
// unlock) and a regression test, as repair would hand them over.

const storeGo = `package store

import "sync"

// Store is a counter map.
type Store struct {
	mu sync.Mutex
	m  map[string]int
}

// Add adds n to key.
func (s *Store) Add(key string, n int) {
	s.mu.Lock()
	if n < 0 {
		return
	}
	s.m[key] += n
	s.mu.Unlock()
}
`

const storeGoFixed = `package store

import "sync"

// Store is a counter map.
type Store struct {
	mu sync.Mutex
	m  map[string]int
}

// Add adds n to key.
func (s *Store) Add(key string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		return
	}
	s.m[key] += n
}
`

const fixturePatch = `diff --git a/store/store.go b/store/store.go
--- a/store/store.go
+++ b/store/store.go
@@ -11,9 +11,9 @@ type Store struct {
 // Add adds n to key.
 func (s *Store) Add(key string, n int) {
 	s.mu.Lock()
+	defer s.mu.Unlock()
 	if n < 0 {
 		return
 	}
 	s.m[key] += n
-	s.mu.Unlock()
 }
`

const fixtureTest = `diff --git a/store/store_test.go b/store/store_test.go
new file mode 100644
--- /dev/null
+++ b/store/store_test.go
@@ -0,0 +1,12 @@
+package store
+
+import "testing"
+
+func TestAddNegativeUnlocks(t *testing.T) {
+	s := &Store{m: map[string]int{}}
+	s.Add("a", -1)
+	s.Add("a", 2)
+	if s.m["a"] != 2 {
+		t.Fatal(s.m["a"])
+	}
+}
`

func fixtureBundle() *Bundle {
	rep := &rca.Report{
		Incident: "3f9a1c2b7d4e", Kind: "deadlock", Title: "all goroutines are asleep in store.(*Store).Add",
		RootCause: rca.RootCause{
			Summary:  "all goroutines are asleep — the early return leaves s.mu locked in store.(*Store).Add at store/store.go:15",
			Location: rca.Location{File: "store/store.go", Line: 15, Function: "store.(*Store).Add"},
		},
		Candidates: []rca.Candidate{
			{File: "store/store.go", Line: 15, Function: "store.(*Store).Add", Score: 0.92, Why: "returns while holding s.mu (acquired at line 13)", Node: "frame:store.(*Store).Add:15"},
			{File: "store/store.go", Line: 13, Function: "store.(*Store).Add", Score: 0.41, Why: "waits on s.mu | held by goroutine 7", Node: "frame:store.(*Store).Add:13"},
		},
		CriticalFailure: "fatal error: all goroutines are asleep - deadlock!",
		Impact:          "POST /counter hangs for every request after the first negative amount",
		Evidence: []rca.EvidenceRef{
			{Node: "event:panic:1", Kind: "panic", Summary: "fatal error: all goroutines are asleep"},
			{Node: "thread:main:7", Kind: "thread", Summary: "goroutine 7 [sync.Mutex.Lock]"},
			{Node: "frame:store.(*Store).Add:15", Kind: "frame", Summary: `store.(*Store).Add returns with "mu" held`},
		},
		Slice: rca.Slice{
			Nodes: []string{"event:panic:1", "thread:main:7", "lock:main:0xc000012345", "frame:store.(*Store).Add:15", "frame:store.(*Store).Add:13"},
			Edges: []rca.SliceEdge{
				{From: "thread:main:7", To: "lock:main:0xc000012345", Kind: "waits"},
				{From: "frame:store.(*Store).Add:15", To: "lock:main:0xc000012345", Kind: "holds"},
				{From: "frame:store.(*Store).Add:13", To: "thread:main:7", Kind: "on"},
				{From: "thread:main:7", To: "event:panic:1", Kind: "emits"},
			},
		},
	}
	return &Bundle{
		Incident: "3f9a1c2b7d4e", Title: rep.Title, Report: rep,
		TraceSummary: "service counter, POST /counter, trace 4bf92f3577b34da6a3ce929d0e0e4736, status ERROR, 30.0 s (deadline exceeded)",
		Candidate: repair.Candidate{Patch: fixturePatch, Test: fixtureTest, TestName: "TestAddNegativeUnlocks",
			Proposer: "template", Template: "unlock-on-all-paths", Trigger: "frame:store.(*Store).Add:15",
			Why: "Add returns early with s.mu held; deferring the unlock releases it on every path and changes nothing else.", Files: []string{"store/store.go"}},
		Checks: []Check{
			{Name: "apply", Status: StatusPass, Seconds: 0.02},
			{Name: "build", Status: StatusPass, Seconds: 1.4},
			{Name: "repro-before", Status: StatusFail, Seconds: 2.1, Detail: "deadlock reproduced: all goroutines are asleep"},
			{Name: "repro-after", Status: StatusPass, Seconds: 0.8},
			{Name: "race-stress", Status: StatusSkip, Detail: "no -race toolchain | skipped"},
		},
		ReproBefore: "=== RUN   TestAddNegativeUnlocks\nfatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [sync.Mutex.Lock]:\nFAIL\tstore\t2.1s\n",
		ReproAfter:  "=== RUN   TestAddNegativeUnlocks\n--- PASS: TestAddNegativeUnlocks (0.00s)\nok  \tstore\t0.8s\n",
		Verdict:     VerdictVerified,
	}
}

// newRepo makes a git repository holding the fixture module, committed on
// branch main, and returns its path and the commit.
func newRepo(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	run(t, dir, "config", "user.name", "Dev")
	run(t, dir, "config", "user.email", "dev@example.invalid")
	run(t, dir, "config", "commit.gpgsign", "false")
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.invalid/counter\n\ngo 1.26\n")
	writeFile(t, filepath.Join(dir, "store", "store.go"), storeGo)
	run(t, dir, "add", "go.mod", "store/store.go")
	run(t, dir, "commit", "-q", "-m", "counter")
	return dir, run(t, dir, "rev-parse", "HEAD")
}

func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testGuard(t *testing.T) *redact.Guard {
	t.Helper()
	e, err := redact.New(nil, []byte("report-test-key-0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return redact.NewGuard(e, nil)
}

func ctx(t *testing.T) context.Context { return t.Context() }
