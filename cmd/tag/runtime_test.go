package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

func godumpTestdata(parts ...string) string {
	return filepath.Join(append([]string{evidencetest.RepoRoot(), "internal", "evidence", "godump", "testdata"}, parts...)...)
}

// The runtime-evidence path end to end: a real AB-BA deadlock dump, with
// the program's source, becomes a deadlock incident that names both locks,
// and show --json gives the cycle's threads, locks and frames.
func TestRuntimeDeadlockIncident(t *testing.T) {
	store := t.TempDir()
	code, out, errOut := tag(t, "--store", store, "ingest", "--json", "--process", "abba/1",
		"--src", godumpTestdata("programs", "abba"), godumpTestdata("deadlock_abba.txt"))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	var ing struct {
		Files []struct {
			Format string `json:"format"`
		} `json:"files"`
		Incidents []struct {
			ID    string `json:"id"`
			Kind  string `json:"kind"`
			Title string `json:"title"`
		} `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(out), &ing); err != nil {
		t.Fatal(err)
	}
	if len(ing.Files) != 1 || ing.Files[0].Format != "go-dump" || len(ing.Incidents) != 1 {
		t.Fatalf("ingest: %s", out)
	}
	inc := ing.Incidents[0]
	if inc.Kind != "deadlock" || inc.Title != "AB-BA deadlock between (*Replica).raftMu and (*Store).mu" {
		t.Errorf("incident = %+v", inc)
	}
	code, out, errOut = tag(t, "--store", store, "show", "--json", inc.ID)
	if code != 0 {
		t.Fatalf("show exit %d: %s", code, errOut)
	}
	var view struct {
		Evidence []struct {
			Kind    string `json:"kind"`
			Summary string `json:"summary"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(out), &view); err != nil {
		t.Fatal(err)
	}
	var kinds, text []string
	for _, e := range view.Evidence {
		kinds = append(kinds, e.Kind)
		text = append(text, e.Summary)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{"(*Store).mu held by goroutine", "(*Replica).raftMu held by goroutine", "main.(*Store).Transfer", "main.(*Replica).Apply"} {
		if !strings.Contains(all, want) {
			t.Errorf("show evidence lacks %q:\n%s", want, all)
		}
	}
	if kinds[0] != "deadlock" {
		t.Errorf("first evidence is %q, want the deadlock verdict", kinds[0])
	}
}

// Every runtime conformance file ingests and yields the incident kind its
// failure is.
func TestRuntimeConformanceIncidents(t *testing.T) {
	dir := evidencetest.ConformanceDir(t, "go-failures")
	for file, want := range map[string]string{
		"goker_etcd4876_data_race.txt":             "race",
		"goker_etcd6708_all_goroutines_asleep.txt": "deadlock",
		"goker_etcd7492_test_timeout_dump.txt":     "blocked",
		"goker_grpc1687_panic_send_on_closed.txt":  "panic",
		"goker_moby7559_goleak.txt":                "leak",
		"goruntime_leakprofile_cockroach10214.txt": "deadlock",
	} {
		code, out, errOut := tag(t, "--store", t.TempDir(), "ingest", "--json", filepath.Join(dir, file))
		if code != 0 {
			t.Errorf("%s: exit %d: %s", file, code, errOut)
			continue
		}
		var ing struct {
			Incidents []struct {
				Kind  string `json:"kind"`
				Title string `json:"title"`
			} `json:"incidents"`
		}
		if err := json.Unmarshal([]byte(out), &ing); err != nil {
			t.Fatal(err)
		}
		if len(ing.Incidents) == 0 || ing.Incidents[0].Kind != want {
			t.Errorf("%s: incidents %+v, want kind %s", file, ing.Incidents, want)
		}
		for _, in := range ing.Incidents {
			if strings.Contains(in.Title, "\n") || len(in.Title) > 200 {
				t.Errorf("%s: title is not one line: %q", file, in.Title)
			}
		}
	}
}

// A jstack dump of two threads deadlocked on ReentrantLocks, with the
// program's source, names both locks; the chained-exception texts of the
// other runtimes become exception incidents.
func TestJVMAndCrashTextIncidents(t *testing.T) {
	ev := func(parts ...string) string {
		return filepath.Join(append([]string{evidencetest.RepoRoot(), "internal", "evidence"}, parts...)...)
	}
	store := t.TempDir()
	code, out, errOut := tag(t, "--store", store, "ingest", "--src", ev("jvm", "testdata", "src"),
		ev("jvm", "testdata", "lock_deadlock_jstack_l.txt"), ev("crashtext", "testdata", "java_chained.txt"),
		ev("crashtext", "testdata", "python_chained.txt"), ev("crashtext", "testdata", "node_async_cause.txt"))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"deadlock  ×1  AB-BA deadlock between LockDeadlock.inventory and LockDeadlock.orders",
		"exception ×1  java.lang.IllegalStateException: checkout unavailable",
		"exception ×1  StartupError: server cannot start",
		"exception ×1  Error: cannot load user 7",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
}

// A malformed runtime artifact in a multi-file ingest fails the whole
// ingest with the file and line, exit 2, and leaves the store empty.
func TestRuntimeBadInputIsTransactional(t *testing.T) {
	dir := t.TempDir()
	good := godumpTestdata("deadlock_abba.txt")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Cut the dump inside a goroutine header.
	i := strings.Index(string(data), "goroutine 7 [")
	bad := filepath.Join(dir, "cut.txt")
	if err := os.WriteFile(bad, append(data[:i:i], "goroutine 7 [sync.Mut"...), 0o644); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "store")
	code, _, errOut := tag(t, "--store", store, "ingest", good, bad)
	if code != 2 || !strings.Contains(errOut, "cut.txt:") {
		t.Fatalf("exit %d, stderr %q; want 2 naming cut.txt and its line", code, errOut)
	}
	code, out, _ := tag(t, "--store", store, "incidents", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("store after a failed ingest: exit %d, %s", code, out)
	}
}

// The demo's deadlock dump and its program source are copies of the
// godump fixture (embed cannot reach outside its package); they must not
// drift apart, or the demo's lock names would come from other code.
func TestDemoDumpMatchesFixture(t *testing.T) {
	root := evidencetest.RepoRoot()
	for ex, fx := range map[string]string{
		"examples/evidence/inventory-deadlock.txt": "internal/evidence/godump/testdata/deadlock_abba.txt",
		"examples/evidence/_src/abba/main.go":      "internal/evidence/godump/testdata/programs/abba/main.go",
	} {
		a, err1 := os.ReadFile(filepath.Join(root, ex))
		b, err2 := os.ReadFile(filepath.Join(root, fx))
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Errorf("%s differs from %s (%v, %v): copy the fixture again", ex, fx, err1, err2)
		}
	}
}
