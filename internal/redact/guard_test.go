package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGuard(t *testing.T) {
	e := testEngine(t)
	var audit bytes.Buffer
	g := NewGuard(e, &audit)
	g.Now = func() time.Time { return time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC) }
	secret := "ghp_" + strings.Repeat("Zx9", 12)
	err := g.Check([]byte(`{"prompt":"the service logged `+secret+` at startup"}`), "model:openai")
	var ee *EgressError
	if !errors.Is(err, ErrEgressBlocked) || !errors.As(err, &ee) || ee.Findings[0].Rule != "github-pat" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(audit.String(), secret) || strings.Contains(audit.String(), secret[4:16]) {
		t.Fatal("audit log holds the secret")
	}
	var rec AuditRecord
	if err := json.Unmarshal(audit.Bytes(), &rec); err != nil || rec.Verdict != "blocked" || rec.Sink != "model:openai" || rec.Findings[0].Offset != 30 {
		t.Fatalf("audit = %s (%v)", audit.String(), err)
	}
	// Redacted evidence passes, also with JSON's HTML escaping.
	red := e.RedactText("user ada@analytical.io token " + secret + " from 10.2.3.4 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4IiwiZXhwIjoxfQ.c2lnbmF0dXJl")
	js, _ := json.Marshal(map[string]string{"evidence": red})
	if err := g.Check(js, "mcp"); err != nil {
		t.Fatalf("redacted payload %s blocked: %v", js, err)
	}
	if err := g.Check([]byte(red), "pr-body"); err != nil {
		t.Fatalf("redacted payload blocked: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k1, err := LoadOrCreateKey(dir)
	if err != nil || len(k1) != KeySize {
		t.Fatal(k1, err)
	}
	st, _ := os.Stat(filepath.Join(dir, KeyFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second load differs")
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o644)
	if _, err := LoadOrCreateKey(dir); !errors.Is(err, ErrKeyFile) {
		t.Errorf("loose permissions accepted: %v", err)
	}
	os.Chmod(filepath.Join(dir, KeyFile), 0o600)
	k3, err := RotateKey(dir)
	if err != nil || bytes.Equal(k1, k3) {
		t.Fatal("rotation kept the key", err)
	}
	if err := WriteKey(dir, k1[:16]); !errors.Is(err, ErrKeyFile) {
		t.Errorf("short key accepted: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); !errors.Is(err, ErrKeyFile) {
		t.Errorf("wrong size accepted: %v", err)
	}
}

func TestTokensDependOnKeyAndJoin(t *testing.T) {
	a := newTokenizer([]byte("key-a-0123456789abcdef"))
	b := newTokenizer([]byte("key-b-0123456789abcdef"))
	if a.token("email", "x@y.io") != a.token("email", "x@y.io") || a.token("email", "x@y.io") == b.token("email", "x@y.io") {
		t.Error("tokens must be stable per key and differ across keys")
	}
	if !isRendering(a.token("email", "x@y.io")) || !isRendering(a.hash("x")) || isRendering("<token:AKIA>") {
		t.Error("rendering check")
	}
}
