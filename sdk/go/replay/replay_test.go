package replay_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
	"github.com/tagdebug/tag/sdk/go/replay"
)

// served counts the requests of the "counter" service across handlers, so
// a test can make an answer differ between serves.
var served atomic.Int64

// leak holds the goroutines the "leaky" service leaves behind until the
// test that made it releases them.
var leak chan struct{}

func init() {
	// echo answers the path and what its outbound call said: stable.
	capture.RegisterFactory("echo", func(cfg capture.Config) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := ""
			if u := cfg["upstream"]; u != "" {
				req, _ := http.NewRequestWithContext(r.Context(), "GET", u+"/check", nil)
				resp, err := (&http.Client{Transport: capture.Transport(nil)}).Do(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				body = string(b)
			}
			fmt.Fprintf(w, "%s %s %s", cfg["greeting"], r.URL.Path, body)
		})
	})
	// counter answers a number that grows with every serve: unstable.
	capture.RegisterFactory("counter", func(capture.Config) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%d", served.Add(1))
		})
	})
	// leaky starts a goroutine per request that waits for ever.
	capture.RegisterFactory("leaky", func(capture.Config) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ch := leak
			go func() { <-ch }()
			w.WriteHeader(http.StatusNoContent)
		})
	})
}

// writeCapsule writes a minimal valid capsule of service for path.
func writeCapsule(t *testing.T, service, path string, edit func(*capsule.Capsule)) string {
	t.Helper()
	c := &capsule.Capsule{ID: service + strings.ReplaceAll(path, "/", "-"), Service: service, Route: "GET " + path,
		Promoted: capsule.PromotedSample, Start: time.Now().UnixNano(),
		Request: capsule.Request{Method: "GET", Path: path}, Response: capsule.Response{Status: 200}}
	if edit != nil {
		edit(c)
	}
	data, err := capsule.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), c.ID+".json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestObserveStableAnswersAndOutboundCalls(t *testing.T) {
	p := writeCapsule(t, "echo", "/a", func(c *capsule.Capsule) {
		c.Config = map[string]string{"greeting": "hi", "upstream": "http://fraud.internal"}
		c.Outbound = []capsule.Call{{Method: "GET", URL: "http://fraud.internal/check", Status: 200, Body: "ok", BodyKept: true}}
	})
	obs, err := replay.Observe(context.Background(), replay.Spec{Capsules: []string{p}, Repeat: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 1 {
		t.Fatalf("%d observations, want 1", len(obs))
	}
	o := obs[0]
	if o.Status != 200 || !o.Stable || o.BodySize != len("hi /a ok") || o.RecordedStatus != 200 {
		t.Errorf("observation %+v: want a stable 200 answering %q", o, "hi /a ok")
	}
	if len(o.Calls) != 1 || o.Calls[0] != "GET http://fraud.internal/check" || len(o.Unmatched) != 0 {
		t.Errorf("calls %v, unmatched %v: want the one recorded call answered", o.Calls, o.Unmatched)
	}
}

func TestObserveMarksUnstableAnswers(t *testing.T) {
	p := writeCapsule(t, "counter", "/n", nil)
	obs, err := replay.Observe(context.Background(), replay.Spec{Capsules: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if obs[0].Stable || obs[0].Status != 200 {
		t.Errorf("observation %+v: a count that grows per serve must be unstable", obs[0])
	}
}

func TestRecordWritesTheFileNamedByTheEnvironment(t *testing.T) {
	p := writeCapsule(t, "echo", "/b", func(c *capsule.Capsule) { c.Config = map[string]string{"greeting": "yo"} })
	out := filepath.Join(t.TempDir(), "obs.json")
	t.Setenv(replay.ObserveEnv, out)
	replay.Record(t, replay.Spec{Capsules: []string{p}})
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"route": "GET /b"`) || !strings.Contains(string(data), `"stable": true`) {
		t.Errorf("observation file:\n%s", data)
	}
}

func TestReplayFindsLeakedGoroutines(t *testing.T) {
	leak = make(chan struct{})
	defer close(leak)
	p := writeCapsule(t, "leaky", "/l", nil)
	out, err := replay.Replay(context.Background(), replay.Spec{Capsules: []string{p}, Parallel: 3, Leaks: true})
	if err != nil {
		t.Fatal(err)
	}
	last := out[len(out)-1]
	if last.Leaked < 3 || !strings.Contains(last.Failure(""), "goroutine leak") || !strings.Contains(last.LeakDump, "replay_test") {
		t.Fatalf("last outcome %+v: want the three waiting goroutines reported as a leak", last)
	}
	// The same replay without leaks asked for, and a handler that leaves
	// nothing behind, report none.
	clean := writeCapsule(t, "echo", "/c", nil)
	out, err = replay.Replay(context.Background(), replay.Spec{Capsules: []string{clean}, Parallel: 3, Leaks: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if f := o.Failure(""); f != "" {
			t.Errorf("clean replay: %s", f)
		}
	}
}
