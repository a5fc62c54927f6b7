package replay

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// ObserveEnv names the file [Record] writes its observations to.
const ObserveEnv = "TAG_OBSERVE_OUT"

// Observation is what one capsule's request answered when served alone on
// a fresh handler: enough to compare two versions of a service on the
// same healthy request without keeping its body.
type Observation struct {
	Capsule string `json:"capsule"`
	Route   string `json:"route"`
	Status  int    `json:"status"`
	// BodyDigest is the SHA-256 of the first serve's answer.
	BodyDigest string `json:"body_sha256"`
	BodySize   int    `json:"body_size"`
	// Stable says the repeats answered byte for byte alike. An unstable
	// answer carries something the SDK does not record (a timestamp
	// from time.Now, an ID from math/rand), so only its status compares.
	Stable bool `json:"stable"`
	// Duration is the fastest repeat, in nanoseconds: the least noisy
	// measure of what the request itself costs.
	Duration int64  `json:"duration_ns"`
	Panic    string `json:"panic,omitempty"`
	TimedOut bool   `json:"timed_out,omitempty"`
	// Calls are the outbound calls answered from the capsule, in order.
	Calls     []string `json:"calls,omitempty"`
	Unmatched []string `json:"unmatched,omitempty"`
	// RecordedStatus and RecordedDigest are what production answered.
	RecordedStatus int    `json:"recorded_status"`
	RecordedDigest string `json:"recorded_body_sha256,omitempty"`
}

// Observe serves each of spec's capsules alone, on a handler built for it
// from its own recorded config, spec.Repeat times (default 2), one after
// another, and reports what each answered. Serving alone and afresh keeps
// one request's answer from depending on which others came first.
func Observe(ctx context.Context, spec Spec) ([]Observation, error) {
	if len(spec.Capsules) == 0 {
		return nil, fmt.Errorf("no capsules to observe")
	}
	repeat := spec.Repeat
	if repeat <= 0 {
		repeat = 2
	}
	var out []Observation
	for _, p := range spec.Capsules {
		c, err := Load(p)
		if err != nil {
			return nil, err
		}
		service := spec.Service
		if service == "" {
			service = c.Service
		}
		factory, ok := capture.Lookup(service)
		if !ok {
			return nil, fmt.Errorf("no handler factory registered for service %q (registered: %v)", service, capture.Factories())
		}
		out = append(out, observe(ctx, factory, c, spec.Timeout, repeat))
	}
	return out, nil
}

// observe serves c repeat times, each on a new handler.
func observe(ctx context.Context, factory capture.Factory, c *capsule.Capsule, timeout time.Duration, repeat int) Observation {
	ob := Observation{Capsule: c.ID, Route: c.Route, Stable: true,
		RecordedStatus: c.Response.Status, RecordedDigest: c.Response.BodyDigest}
	for i := range repeat {
		o := Serve(ctx, factory(capture.Config(c.Config)), c, timeout)
		sum := sha256.Sum256(o.Body)
		digest := hex.EncodeToString(sum[:])
		if i == 0 || int64(o.Duration) < ob.Duration {
			ob.Duration = int64(o.Duration)
		}
		if i == 0 {
			ob.Status, ob.BodyDigest, ob.BodySize = o.Status, digest, len(o.Body)
			ob.Panic, ob.TimedOut, ob.Calls, ob.Unmatched = o.Panic, o.TimedOut, o.Calls, o.Unmatched
			continue
		}
		if o.Status != ob.Status || digest != ob.BodyDigest || !slices.Equal(o.Calls, ob.Calls) {
			ob.Stable = false
		}
		if o.TimedOut {
			ob.TimedOut = true
			break // a stuck request stays stuck; its goroutine is abandoned
		}
	}
	return ob
}

// Record observes spec (see [Observe]) and writes the observations as
// JSON to the file named by $TAG_OBSERVE_OUT, or logs them when it is
// unset. Tests that `tag fix` generates to replay an endpoint's healthy
// requests call it; the verifier compares the files of the unpatched and
// the patched tree.
func Record(t testing.TB, spec Spec) []Observation {
	t.Helper()
	obs, err := Observe(context.Background(), spec)
	if err != nil {
		t.Fatalf("observe: %v", err)
	}
	data, err := json.MarshalIndent(obs, "", "  ")
	if err != nil {
		t.Fatalf("observe: %v", err)
	}
	if path := os.Getenv(ObserveEnv); path != "" {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatalf("observe: %v", err)
		}
	} else {
		t.Logf("%s", data)
	}
	return obs
}
