package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
)

// tag runs the CLI in-process and returns its exit code and output.
func tag(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func otlpTestdata(name string) string {
	return filepath.Join(evidencetest.RepoRoot(), "internal", "evidence", "otlp", "testdata", name)
}

func TestIngestIncidentsShowJSON(t *testing.T) {
	store := t.TempDir()
	code, out, errOut := tag(t, "--store", store, "ingest", "--json", otlpTestdata("exceptions.json"), otlpTestdata("logs_exception.json"))
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	var ing struct {
		Files []struct {
			Name     string `json:"name"`
			Format   string `json:"format"`
			Artifact int64  `json:"artifact"`
		} `json:"files"`
		Incidents []json.RawMessage `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(out), &ing); err != nil {
		t.Fatalf("ingest --json: %v\n%s", err, out)
	}
	if len(ing.Files) != 2 || ing.Files[0].Format != "otlp-json" || ing.Files[0].Artifact == 0 || len(ing.Incidents) != 2 {
		t.Fatalf("ingest result: %s", out)
	}

	code, out, _ = tag(t, "--store", store, "incidents", "--json")
	if code != 0 {
		t.Fatalf("incidents exit %d", code)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("incidents: %s", out)
	}
	// The DESIGN.md §4 contract: these fields, with these names.
	for _, f := range []string{"id", "fingerprint", "kind", "title", "service", "endpoint", "count", "first_seen", "last_seen"} {
		if _, ok := rows[0][f]; !ok {
			t.Errorf("incidents --json lacks %q", f)
		}
	}
	var goID string
	for _, r := range rows {
		if r["service"] == "checkout" {
			goID = r["id"].(string)
		}
	}
	code, out, _ = tag(t, "--store", store, "show", goID[:6], "--json")
	if code != 0 {
		t.Fatalf("show exit %d", code)
	}
	var view struct {
		Incident struct {
			ID string `json:"id"`
		} `json:"incident"`
		Evidence []struct {
			Kind     string `json:"kind"`
			Location *struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
		} `json:"evidence"`
		Timeline []json.RawMessage `json:"timeline"`
		Graph    struct {
			Nodes []json.RawMessage `json:"nodes"`
		} `json:"graph"`
	}
	if err := json.Unmarshal([]byte(out), &view); err != nil {
		t.Fatal(err)
	}
	if view.Incident.ID != goID || len(view.Timeline) == 0 || len(view.Graph.Nodes) == 0 {
		t.Fatalf("show: %s", out)
	}
	if view.Evidence[0].Kind != "exception" || view.Evidence[1].Kind != "frame" || view.Evidence[1].Location.File != "/src/shop/cart/service.go" || view.Evidence[1].Location.Line != 42 {
		t.Errorf("evidence does not lead with the exception and its innermost frame: %+v", view.Evidence[:2])
	}
	// The human view says the same.
	_, out, _ = tag(t, "--store", store, "show", goID)
	if !strings.Contains(out, "example.com/shop/cart.(*Service).Load at /src/shop/cart/service.go:42") {
		t.Errorf("show output lacks the frame:\n%s", out)
	}
}

func TestExitCodes(t *testing.T) {
	store := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}`), 0o644)
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"version"}, 0, ""},
		{[]string{"incidents"}, 0, ""},
		{[]string{"ingest", otlpTestdata("exceptions.json"), bad}, 2, "bad.json:1:"},
		{[]string{"ingest", "/nonexistent/file.json"}, 2, "no such file"},
		{[]string{"ingest"}, 2, "requires at least 1 arg"},
		{[]string{"show", "ffffffffffff"}, 2, "not found"},
		{[]string{"incidents", "--bogus"}, 2, "unknown flag"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	}
	for _, c := range cases {
		code, _, errOut := tag(t, append([]string{"--store", store}, c.args...)...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("tag %v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	// The failed multi-file ingest above left nothing behind.
	_, out, _ := tag(t, "--store", store, "incidents", "--json")
	if strings.TrimSpace(out) != "[]" {
		t.Errorf("store changed by failed ingest: %s", out)
	}
}

// TestDemoEvidence: the evidence-only demo (no toolchain needed).
func TestDemoEvidence(t *testing.T) {
	code, out, errOut := tag(t, "demo", "--evidence", "--json")
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	var rows []struct {
		Example   string `json:"example"`
		Incident  string `json:"incident"`
		Kind      string `json:"kind"`
		RootCause string `json:"root_cause"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 3 {
		t.Fatalf("demo --json: %v\n%s", err, out)
	}
	for _, r := range rows {
		if r.Example == "checkout" && !strings.Contains(r.RootCause, "service.go:42") {
			t.Errorf("checkout root cause hint = %q", r.RootCause)
		}
		if r.Example == "inventory" && (r.Kind != "deadlock" || !strings.Contains(r.RootCause, "main.go:")) {
			t.Errorf("inventory row = %+v", r)
		}
	}
}

func TestStoreFromEnvAndConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TAG_HOME", filepath.Join(dir, "home"))
	if code, _, e := tag(t, "ingest", otlpTestdata("exceptions.json")); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(filepath.Join(dir, "home", "tag.db")); err != nil {
		t.Errorf("TAG_HOME not used: %v", err)
	}
	cfg := filepath.Join(dir, "tag.yaml")
	os.WriteFile(cfg, []byte("store: "+filepath.Join(dir, "cfgstore")+"\nincidents:\n  deadline: 100ms\n"), 0o644)
	if code, _, e := tag(t, "--config", cfg, "ingest", otlpTestdata("exceptions.json")); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(filepath.Join(dir, "cfgstore", "tag.db")); err != nil {
		t.Errorf("config store not used: %v", err)
	}
	os.WriteFile(cfg, []byte("store: [oops"), 0o644)
	if code, _, _ := tag(t, "--config", cfg, "incidents"); code != 2 {
		t.Errorf("bad config exit %d, want 2", code)
	}
}

// TestReproBadCapsule: a corrupt, truncated or incomplete capsule given to
// tag repro is bad input — exit 2, the file and the byte offset named,
// nothing run.
func TestReproBadCapsule(t *testing.T) {
	store := t.TempDir()
	if code, _, errOut := tag(t, "--store", store, "ingest", otlpTestdata("exceptions.json")); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	code, out, _ := tag(t, "--store", store, "incidents", "--json")
	var rows []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) == 0 {
		t.Fatalf("incidents: exit %d, %v: %s", code, err, out)
	}
	dir := t.TempDir()
	good := `{"tag_capsule":1,"id":"c1","service":"shop","route":"POST /pay","start_ns":1,"duration_ns":1,"promoted":"error",` +
		`"request":{"method":"POST","path":"/pay","body_kept":false,"body_size":0},"response":{"status":500,"body_size":0},"env":{},"redaction":{}}`
	for _, c := range []struct{ name, data, want string }{
		{"truncated.json", good[:60], "byte 60"},
		{"syntax.json", `{"tag_capsule":1,,}`, "byte 18"},
		{"incomplete.json", strings.Replace(good, `"method":"POST",`, "", 1), "no method"},
		{"unknown.json", strings.Replace(good, `"id":"c1"`, `"id":"c1","mystery":true`, 1), "mystery"},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.data), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := tag(t, "--store", store, "repro", rows[0].ID, "--repo", dir, "--capsule", p)
		if code != 2 || !strings.Contains(errOut, c.name) || !strings.Contains(errOut, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming the file and %q", c.name, code, errOut, c.want)
		}
	}
}
