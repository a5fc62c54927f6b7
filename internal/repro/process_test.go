package repro

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/evidence"
)

func examplesDir(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestProcessPyworkerReproduces(t *testing.T) {
	needTool(t, "python3")
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "pyworker.capsule.json")
	c, rec, err := Record(ctx, "python3", []string{"worker.py", "--cold"}, RecordOptions{Dir: examplesDir(t, "pyworker"), Output: out, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if c.Signature != "TypeError" || len(c.Files) != 1 || c.Files[0].Path != "worker.py" || rec.ExitCode != 0 {
		t.Fatalf("capsule: signature %q, files %v, exit %d", c.Signature, c.Files, rec.ExitCode)
	}
	loaded, err := LoadProcessCapsule(out)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Replay(ctx, loaded, ReplayOptions{Incident: "py-1", Runs: 2, Scrub: func(s string) string { return strings.ReplaceAll(s, "NoneType", "<redacted>") }})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.Summary(), r.Notes, r.Drift)
	if !r.Reproduced || r.Runs != 2 || r.Failures != 2 || r.Rate != 1 || r.Driver != "process" || r.Incident != "py-1" {
		t.Fatalf("not reproduced: %+v", r)
	}
	if !strings.Contains(r.Dump, "TypeError") || strings.Contains(r.Dump, "NoneType") || !strings.Contains(r.Dump, "<redacted>") {
		t.Errorf("dump not scrubbed or lacks the traceback:\n%s", r.Dump)
	}

	// The same capsule with the bug fixed in worker.py does not reproduce.
	fixed := *loaded
	fixed.Files = []CapsuleFile{{Path: "worker.py", Content: strings.Replace(loaded.Files[0].Content,
		`users = cache.get("users")`, `users = cache.get("users") or []`, 1)}}
	if fixed.Files[0].Content == loaded.Files[0].Content {
		t.Fatal("the fix did not apply to worker.py")
	}
	r, err = Replay(ctx, &fixed, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Reproduced || r.Failures != 0 || r.Runs != 1 {
		t.Fatalf("fixed worker reproduced: %+v", r)
	}
}

func TestProcessLedgerDeadlockReproduces(t *testing.T) {
	needTool(t, "java", "jstack")
	ctx := context.Background()
	c, rec, err := Record(ctx, "java", []string{"Ledger.java"}, RecordOptions{
		Dir:       examplesDir(t, "ledger"),
		StdinOpen: true, // the ledger holds its deadlock until stdin says stop
		Timeout:   45 * time.Second,
		DumpOn:    "DEADLOCK",
		Signature: "Found one Java-level deadlock",
	})
	if err != nil {
		t.Fatalf("record: %v (%+v)", err, rec)
	}
	if !rec.TimedOut || c.OnTimeout != DumpJStack || !c.Expected.TimedOut {
		t.Fatalf("recorded run: %+v, capsule on_timeout %q", rec, c.OnTimeout)
	}
	r, err := Replay(ctx, c, ReplayOptions{Incident: "ledger", Runs: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.Summary(), r.Notes, r.Drift)
	if !r.Reproduced || r.Runs != 2 || r.Failures == 0 || r.ReliableN == 0 {
		t.Fatalf("ledger: %+v", r)
	}
	if !strings.Contains(r.Dump, "Found one Java-level deadlock") || !strings.Contains(r.Dump, "Ledger.f") {
		t.Errorf("dump lacks the deadlock report:\n%s", tail(r.Dump, 3000))
	}

	// Without the trigger the run is bounded by its timeout alone, and
	// the dump is taken when that expires.
	slow := *c
	slow.DumpOn = ""
	r, err = Replay(ctx, &slow, ReplayOptions{Timeout: 6 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Reproduced || !strings.Contains(r.Dump, "Found one Java-level deadlock") {
		t.Fatalf("timeout path: %s\n%s", r.Summary(), tail(r.Dump, 2000))
	}
}

func TestProcessCorruptCapsule(t *testing.T) {
	dir := t.TempDir()
	good := `{"kind":"tag.process-capsule","version":1,"command":"true","expected":{"exit":0}}`
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"truncated.json", good[:40], []string{"truncated.json", "byte 40", "truncated"}},
		{"syntax.json", `{"version": 1,, }`, []string{"syntax.json", "byte 15", "invalid JSON"}},
		{"nocommand.json", `{"version":1,"expected":{"exit":0}}`, []string{"nocommand.json", "field command: missing"}},
		{"type.json", `{"version":"one","command":"x"}`, []string{"type.json", "field version"}},
		{"escape.json", `{"version":1,"command":"x","files":[{"path":"../x","content":""}]}`, []string{"files[0].path"}},
		{"base64.json", `{"version":1,"command":"x","files":[{"path":"a","content":"%%","encoding":"base64"}]}`, []string{"files[0].content", "base64"}},
		{"sig.json", `{"version":1,"command":"x","signature":"("}`, []string{"field signature"}},
	} {
		path := filepath.Join(dir, tc.name)
		os.WriteFile(path, []byte(tc.data), 0o644)
		_, err := LoadProcessCapsule(path)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !errors.Is(err, evidence.ErrBadInput) {
			t.Errorf("%s: %v is not ErrBadInput", tc.name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
	if _, err := ParseProcessCapsule("good.json", []byte(good)); err != nil {
		t.Errorf("good capsule: %v", err)
	}
}

func TestProcessMockServesRecordedResponse(t *testing.T) {
	needTool(t, "python3")
	script := `import os, urllib.request
addr = os.environ["TAG_REPLAY_ADDR"]
body = urllib.request.urlopen("http://" + addr + "/v1/users?id=3", timeout=10).read().decode()
print("got", body)
base = os.environ["API_URL"]
try:
    urllib.request.urlopen(base + "/missing", timeout=10)
except Exception as e:
    print("miss", e)
if "ada" in body:
    raise ValueError("user ada is banned")
`
	c := &ProcessCapsule{
		Kind: ProcessCapsuleKind, Version: ProcessCapsuleVersion,
		Command: "python3", Args: []string{"client.py"},
		Env:       map[string]string{"API_URL": "https://api.example.com/base"},
		Files:     []CapsuleFile{{Path: "client.py", Content: script}},
		Signature: `ValueError: user ada`,
		Network: &Mock{URLEnv: []string{"API_URL"}, Responses: []Response{
			{Method: "GET", URL: "/v1/users?id=3", Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"name":"ada"}`},
		}},
	}
	r, err := Replay(context.Background(), c, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.Summary(), r.Notes)
	if !r.Reproduced || !strings.Contains(r.Dump, `got {"name":"ada"}`) || !strings.Contains(r.Dump, "miss HTTP Error 502") {
		t.Fatalf("mock: %+v\n%s", r, r.Dump)
	}
}

func TestGuessSignature(t *testing.T) {
	for out, want := range map[string]string{
		`{"exception.stacktrace": "Traceback\nTypeError: 'NoneType'"}`: "TypeError",
		"Found one Java-level deadlock:\n=====":                        "Found one Java-level deadlock",
		"panic: runtime error: index out of range [3] with length 2":   `panic: runtime error: index out of range`,
		"all good": "",
	} {
		if got := GuessSignature(out); got != want {
			t.Errorf("GuessSignature(%q) = %q, want %q", out, got, want)
		}
	}
}

func TestRecordNetworkThenReplayOffline(t *testing.T) {
	needTool(t, "python3")
	var hits atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Set-Cookie", "session=secret")
		fmt.Fprintf(w, `{"path":%q,"quota":0}`, r.URL.RequestURI())
	}))
	defer upstream.Close()
	t.Setenv("QUOTA_URL", upstream.URL+"/api")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"client.py": `import json, os, urllib.request
r = json.load(urllib.request.urlopen(os.environ["QUOTA_URL"] + "/quota?user=7", timeout=10))
print("upstream said", r)
if r["quota"] == 0:
    raise ZeroDivisionError("quota is zero for " + r["path"])
`})
	c, _, err := Record(context.Background(), "python3", []string{"client.py"}, RecordOptions{Dir: dir, RecordURLEnv: []string{"QUOTA_URL"}})
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 1 || c.Network == nil || len(c.Network.Responses) != 1 || c.Signature != "ZeroDivisionError" {
		t.Fatalf("recorded: hits %d, network %+v, signature %q", hits.Load(), c.Network, c.Signature)
	}
	resp := c.Network.Responses[0]
	if resp.URL != "/api/quota?user=7" || resp.Headers["Set-Cookie"] != "" || !strings.Contains(resp.Body, `"quota":0`) {
		t.Errorf("response: %+v", resp)
	}
	upstream.Close()
	r, err := Replay(context.Background(), c, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Reproduced || !strings.Contains(r.Dump, "quota is zero for /api/quota?user=7") || hits.Load() != 1 {
		t.Fatalf("offline replay: %s\n%s", r.Summary(), r.Dump)
	}
}
