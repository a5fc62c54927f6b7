package capture_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/godump"
	"github.com/tagdebug/tag/sdk/go/capsule"
	"github.com/tagdebug/tag/sdk/go/capture"
)

// TestSlowRequestDump: requests still running past the latency
// threshold are kept with a goroutine dump taken while they ran, headed
// as a slow-request snapshot (not a watchdog hang), and with the other
// requests then in flight on their route as peers (not those of other
// routes late with them); requests late together share one dump, dumps are at least a threshold apart, a
// request that starts after a dump gets a later one, and a fast request
// carries neither. TAG reads the dump without a verdict.
func TestSlowRequestDump(t *testing.T) {
	const threshold = 200 * time.Millisecond
	r, s := newRecorder(t, capture.Options{LatencyThreshold: threshold})
	release := make(chan struct{})
	entered := make(chan struct{}, 4)
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Query().Get("fast") != "" {
			return
		}
		entered <- struct{}{}
		waitForSlowRelease(release)
	})
	h, other := r.Middleware("GET /slow", handler), r.Middleware("GET /other", handler)
	var wg sync.WaitGroup
	slow := func() { wg.Go(func() { serve(h, "GET", "/slow", "", nil) }); <-entered }
	slow()
	slow() // late together with the first: one dump for both
	wg.Go(func() { serve(other, "GET", "/other", "", nil) })
	<-entered // late with them too, but not their company
	time.Sleep(threshold + threshold/2)
	slow() // started after that dump: gets its own, a threshold later
	serve(h, "GET", "/slow?fast=1", "", map[string]string{capture.DebugHeader: "capture"})
	time.Sleep(threshold + threshold/2)
	close(release)
	wg.Wait()

	var taken []int64          // distinct dumps, by when each was taken
	peers := map[int64][]int{} // peers per capsule, by dump
	for _, c := range s.all() {
		a, ok := c.Attachment(capsule.AttachGoroutines)
		if c.Promoted == capsule.PromotedHeader {
			if ok || len(c.Peers) > 0 {
				t.Errorf("the fast request carries a dump or peers")
			}
			continue
		}
		if c.Promoted != capsule.PromotedLatency || !ok {
			t.Fatalf("capsule promoted %q, dump %v", c.Promoted, ok)
		}
		text := string(a.Data)
		if !strings.HasPrefix(text, capsule.SlowHeader) || !strings.Contains(text, "past the 200ms latency threshold: ") ||
			!strings.Contains(strings.SplitN(text, "\n", 2)[0], c.Route) || !strings.Contains(text, "waitForSlowRelease") {
			t.Errorf("dump %.300s", text)
		}
		if a.Taken <= c.Start || a.Taken >= c.Start+c.Duration {
			t.Errorf("dump taken at +%v of a %v request", time.Duration(a.Taken-c.Start), time.Duration(c.Duration))
		}
		if !slices.Contains(taken, a.Taken) {
			taken = append(taken, a.Taken)
		}
		if c.Route == "GET /other" {
			if len(c.Peers) != 0 {
				t.Errorf("the request on another route has %d peers", len(c.Peers))
			}
			continue
		}
		peers[a.Taken] = append(peers[a.Taken], len(c.Peers))
		for _, p := range c.Peers {
			if p.Route != "GET /slow" || p.Request.Path != "/slow" || p.TraceID != "" || p.Validate() != nil {
				t.Errorf("peer %+v", p)
			}
		}
		f, err := (&godump.DumpDecoder{}).Decode(context.Background(), &evidence.Input{Name: "slow", Data: a.Data})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range f.Nodes {
			if v := n.EventType(); v == "blocked" || v == "deadlock" || v == "panic" {
				t.Errorf("the slow dump reads as a %s verdict", v)
			}
		}
	}
	if len(taken) != 2 {
		t.Fatalf("%d distinct dumps for four late requests (three late together), want 2", len(taken))
	}
	slices.Sort(taken)
	if gap := time.Duration(taken[1] - taken[0]); gap < threshold {
		t.Errorf("dumps %v apart, want at least %v", gap, threshold)
	}
	// The first look saw the first two requests on /slow, each the
	// other's peer; the second saw all three.
	if first, second := peers[taken[0]], peers[taken[1]]; !slices.Equal(first, []int{1, 1}) || !slices.Equal(second, []int{2}) {
		t.Errorf("peers per capsule: first look %v, second %v; want [1 1] and [2]", first, second)
	}
}

// waitForSlowRelease is where the slow requests wait, named so the dump
// can be checked for it.
func waitForSlowRelease(release chan struct{}) { <-release }

// TestSlowDumpLeavesHangsAlone: with a deadline and a latency threshold,
// a request stuck past the deadline is still kept as a hang with the
// watchdog's own dump.
func TestSlowDumpLeavesHangsAlone(t *testing.T) {
	r, s := newRecorder(t, capture.Options{LatencyThreshold: 30 * time.Millisecond, Deadline: 120 * time.Millisecond})
	release := make(chan struct{})
	h := r.Middleware("GET /stuck", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { <-release }))
	done := make(chan struct{})
	go func() { serve(h, "GET", "/stuck", "", nil); close(done) }()
	for end := time.Now().Add(10 * time.Second); len(s.all()) == 0 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	<-done
	cs := s.all()
	if len(cs) != 1 || cs[0].Promoted != capsule.PromotedHang {
		t.Fatalf("capsules %+v", cs)
	}
	if a, ok := cs[0].Attachment(capsule.AttachGoroutines); !ok || !strings.HasPrefix(string(a.Data), capsule.WatchdogHeader) {
		t.Errorf("hang dump %.200s", a.Data)
	}
}
