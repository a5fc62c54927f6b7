package rca_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/internal/evidence/evidencetest"
	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/inspect"
	"github.com/tagdebug/tag/internal/rca"
	"github.com/tagdebug/tag/internal/store"
)

// analyze ingests the fixture and returns the report of the incident of
// the given kind whose title contains title.
func analyze(t *testing.T, kind, title string, src []string, files ...string) *rca.Report {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &ingest.Pipeline{Store: st, Origin: ingest.Origin{SourceRoots: src}}
	root := evidencetest.RepoRoot()
	for i := range files {
		files[i] = filepath.Join(root, files[i])
	}
	if _, err := p.Files(ctx, files, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if in.Kind != kind || !strings.Contains(in.Title, title) {
			continue
		}
		v, err := inspect.Load(ctx, st, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := rca.Analyze(v)
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Fatalf("no %s incident among %+v", kind, ins)
	return nil
}

func top(r *rca.Report, n int) []rca.Candidate { return r.Candidates[:min(n, len(r.Candidates))] }

// TestDeadlockNamesBothLocksAndSites: the AB-BA deadlock's cycle names
// both locks and both acquisition sites, each above every other frame.
func TestDeadlockNamesBothLocksAndSites(t *testing.T) {
	root := evidencetest.RepoRoot()
	r := analyze(t, "deadlock", "", []string{filepath.Join(root, "examples/evidence/_src/abba")}, "internal/evidence/godump/testdata/deadlock_abba.txt")
	sites := map[string]string{}
	for _, c := range top(r, 2) {
		sites[c.Function] = c.Why
		if !strings.HasSuffix(c.File, "abba/main.go") || c.Line == 0 || c.Score != 1 {
			t.Errorf("acquisition site %+v", c)
		}
	}
	for fn, lock := range map[string]string{"main.(*Store).Transfer": "(*Replica).raftMu", "main.(*Replica).Apply": "(*Store).mu"} {
		if !strings.Contains(sites[fn], "acquiring "+lock) {
			t.Errorf("site %s: %q, want it acquiring %s (candidates %+v)", fn, sites[fn], lock, r.Candidates)
		}
	}
	if !strings.Contains(r.RootCause.Summary, "raftMu") || !strings.Contains(r.RootCause.Summary, "(*Store).mu") || r.RootCause.Location.Line == 0 {
		t.Errorf("root cause %+v", r.RootCause)
	}
	if len(r.Slice.Nodes) == 0 || len(r.Slice.Edges) == 0 || len(r.Evidence) == 0 {
		t.Errorf("empty slice or evidence: %+v", r.Slice)
	}
}

// TestRaceNamesBothAccesses: the write leads, the read follows, at their
// own lines.
func TestRaceNamesBothAccesses(t *testing.T) {
	r := analyze(t, "race", "Put", nil, "internal/evidence/godump/testdata/race_cache.txt")
	var put, get bool
	for _, c := range top(r, 2) {
		put = put || c.Function == "main.(*Cache).Put" && strings.Contains(c.Why, "write")
		get = get || c.Function == "main.(*Cache).Get" && strings.Contains(c.Why, "read")
	}
	if !put || !get {
		t.Errorf("race candidates %+v", r.Candidates)
	}
	if !strings.Contains(r.Candidates[0].Why, "write") {
		t.Errorf("the write does not lead: %+v", r.Candidates[0])
	}
}

// TestLeakNamesBlockedSend: the leak's top candidate is the channel send
// most leaked goroutines are stuck in.
func TestLeakNamesBlockedSend(t *testing.T) {
	r := analyze(t, "leak", "", nil, "internal/evidence/godump/testdata/leak_profile.txt")
	c := r.Candidates[0]
	if c.Function != "main.(*Client).work" || !strings.Contains(c.Why, "chan send") || c.Line == 0 {
		t.Errorf("leak top candidate %+v", c)
	}
}

// TestExceptionInnermostCauseFirst: the frame where the bad value first
// appears (the innermost cause) beats the frame that finally crashed.
func TestExceptionInnermostCauseFirst(t *testing.T) {
	r := analyze(t, "exception", "", nil, "internal/evidence/crashtext/testdata/java_chained.txt")
	if c := r.Candidates[0]; c.Function != "Checkout.parseLimit" || c.Line != 16 {
		t.Errorf("top candidate %+v, want Checkout.parseLimit:16", c)
	}
	crash := -1
	for i, c := range r.Candidates {
		if c.Function == "Checkout.checkout" {
			crash = i
			break
		}
	}
	if crash <= 0 {
		t.Errorf("the crash frame should rank below the cause: %+v", r.Candidates)
	}
}

// TestErrorSpanWithoutStack: an error that crossed services is located at
// the innermost failing span.
func TestErrorSpanWithoutStack(t *testing.T) {
	r := analyze(t, "exception", "", nil, "examples/evidence/checkout-traces.json")
	if len(r.Candidates) == 0 || r.RootCause.Location.File == "" {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(r.Impact, "checkout") {
		t.Errorf("impact %q", r.Impact)
	}
}

// TestTimeoutRanksCriticalPath: a request over its deadline is explained
// by the span with the most time on its critical path, not by the root
// that merely waited for it.
func TestTimeoutRanksCriticalPath(t *testing.T) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "search")
	ss := rs.ScopeSpans().AppendEmpty()
	base := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	span := func(id byte, parent byte, name string, from, to time.Duration) {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
		s.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, id})
		if parent != 0 {
			s.SetParentSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, parent})
		} else {
			s.SetKind(ptrace.SpanKindServer)
			s.Attributes().PutStr("http.route", "/search")
		}
		s.SetName(name)
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(base.Add(from)))
		s.SetEndTimestamp(pcommon.NewTimestampFromTime(base.Add(to)))
	}
	span(1, 0, "GET /search", 0, 3*time.Second)
	span(2, 1, "auth.Check", 10*time.Millisecond, 60*time.Millisecond)
	span(3, 1, "SELECT products", 100*time.Millisecond, 2900*time.Millisecond)
	span(4, 1, "render", 2900*time.Millisecond, 2990*time.Millisecond)
	js, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "slow.json")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p := &ingest.Pipeline{Store: st, Detect: incident.Options{Deadline: time.Second}}
	if _, err := p.Files(ctx, []string{file}, "", nil); err != nil {
		t.Fatal(err)
	}
	ins, err := st.Incidents(ctx)
	if err != nil || len(ins) != 1 || ins[0].Kind != "timeout" {
		t.Fatalf("incidents %+v %v", ins, err)
	}
	v, err := inspect.Load(ctx, st, ins[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	r := rca.Analyze(v)
	if len(r.Candidates) < 2 || r.Candidates[0].Function != "SELECT products" || !strings.Contains(r.Candidates[0].Why, "critical path") {
		t.Errorf("timeout candidates %+v", r.Candidates)
	}
}
