package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/internal/store"
)

// TestRedactDryRunDiff checks the dry run shows each change as a diff
// with the value masked, writes nothing, and that --policy changes what
// is done.
func TestRedactDryRunDiff(t *testing.T) {
	dir := t.TempDir()
	secret := redacttest.NewGen(5).Secrets()[2].Secret
	log := filepath.Join(dir, "app.jsonl")
	line := `{"time":"2026-11-24T06:53:15Z","level":"ERROR","msg":"push failed with ` + secret + `","service":"ci","user.id":"u-1138"}` + "\n"
	if err := os.WriteFile(log, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(dir, "store")
	code, out, errOut := tag(t, "--store", st, "redact", "--dry-run", log)
	if code != 0 {
		t.Fatal(errOut)
	}
	if strings.Contains(out, secret) {
		t.Fatal("the dry run printed the secret")
	}
	for _, want := range []string{"=== " + log + " (json-log): ", "  - log.body", "  + log.body", "<token:github-pat:", "  - user.id", "<hash:"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run lacks %q:\n%s", want, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // app.jsonl and the store (its key)
		t.Errorf("dry run wrote files: %v", entries)
	}

	// A policy that allows user.id leaves it alone.
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("attributes:\n  - {match: \"user.id\", action: allow}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = tag(t, "--store", st, "--policy", pol, "redact", "--dry-run", "--json", log)
	if code != 0 {
		t.Fatal(errOut)
	}
	var res []redactFile
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res[0].Changes {
		if c.Key == "user.id" {
			t.Errorf("policy allows user.id, but the dry run changes it: %+v", c)
		}
	}
	if res[0].Policy == "" || !strings.HasPrefix(res[0].Policy, "p-") {
		t.Errorf("policy version %q", res[0].Policy)
	}

	// A broken policy is a usage error naming the file and line.
	if err := os.WriteFile(pol, []byte("attributes:\n  - {match: x, action: explode}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = tag(t, "--store", st, "--policy", pol, "redact", "--dry-run", log)
	if code != 2 || !strings.Contains(errOut, "policy.yaml:2") {
		t.Errorf("bad policy: exit %d, %q", code, errOut)
	}
}

// TestIngestRecordsPolicyVersion checks every stored artifact names the
// policy applied to it, and that --policy changes the version.
func TestIngestRecordsPolicyVersion(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(pol, []byte("attributes:\n  - {match: \"http.route\", action: hash}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st := filepath.Join(dir, "store")
	if code, _, errOut := tag(t, "--store", st, "ingest", otlpTestdata("exceptions.json")); code != 0 {
		t.Fatal(errOut)
	}
	if code, _, errOut := tag(t, "--store", st, "--policy", pol, "ingest", otlpTestdata("logs_exception.json")); code != 0 {
		t.Fatal(errOut)
	}
	ctx := t.Context()
	s, err := store.OpenSQLite(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	arts, err := s.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].Policy == arts[1].Policy || !strings.HasPrefix(arts[0].Policy, "p-") || !strings.HasPrefix(arts[1].Policy, "p-") {
		t.Errorf("artifact policies: %+v", arts)
	}
}

// TestKeyCommand checks the key is made once with mode 0600, shown only
// by its ID, rotated, and importable so installations share tokens.
func TestKeyCommand(t *testing.T) {
	st := t.TempDir()
	id := func(args ...string) string {
		code, out, errOut := tag(t, append([]string{"--store", st, "key", "--json"}, args...)...)
		if code != 0 {
			t.Fatal(errOut)
		}
		var k keyInfo
		if err := json.Unmarshal([]byte(out), &k); err != nil {
			t.Fatal(err)
		}
		return k.ID
	}
	first := id()
	if id("id") != first {
		t.Error("key ID changed without rotation")
	}
	fi, err := os.Stat(filepath.Join(st, "redact.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if rotated := id("rotate"); rotated == first {
		t.Error("rotation kept the key")
	}
	supplied := filepath.Join(t.TempDir(), "shared.key")
	if err := os.WriteFile(supplied, []byte(hex.EncodeToString(make([]byte, 32))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	imported := id("import", supplied)
	other := t.TempDir()
	code, out, _ := tag(t, "--store", other, "key", "import", supplied)
	if code != 0 || !strings.Contains(out, imported) {
		t.Errorf("a second installation importing the same key shows %q, want %s", out, imported)
	}
	if code, _, _ := tag(t, "--store", st, "key", "explode"); code != 2 {
		t.Errorf("bad key action: exit %d", code)
	}
}
