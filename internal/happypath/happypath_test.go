package happypath_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	ct "github.com/tagdebug/tag/internal/analysis/diff/cohort/cohorttest"
	"github.com/tagdebug/tag/internal/happypath"
	"github.com/tagdebug/tag/internal/verify"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// service is a tiny Go service that uses TAG's capture SDK: GET /hello
// greets by name. body is its handler's body, so a test can write the
// patched versions.
func service(body string) string {
	return `package svc

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tagdebug/tag/sdk/go/capture"
)

// Keep both imports whatever the handler body uses.
var _, _ = time.Second, fmt.Sprint

func init() { capture.RegisterFactory("svc", Factory) }

// Factory builds the service's handler.
func Factory(capture.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		` + body + `
	})
}
`
}

const healthyBody = `fmt.Fprintf(w, "hello %s", r.URL.Query().Get("name"))`

// layout writes the service as module example.com/svc, requiring this
// repository's module by a replace directive, into a new directory.
func layout(t *testing.T, body string) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gomod := "module example.com/svc\n\ngo 1.26\n\nrequire github.com/tagdebug/tag v0.0.0\n\nreplace github.com/tagdebug/tag => " + root + "\n"
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": gomod, "go.sum": string(sum), "svc.go": service(body)} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Every module this one needs is this repository's, so the module
	// cache already holds them; tidy writes them down.
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dir
}

// healthyTraces are production traces of GET /hello: 1-2 ms, status 200.
func healthyTraces(t *testing.T) []*cohort.Trace {
	f := &epg.Fragment{}
	for i := range 10 {
		ct.Add(f, ct.TraceID(i), int64(i+1)*100*ct.Ms, ct.S{Service: "svc", Name: "GET /hello", End: ct.Ms + int64(i)*ct.Ms/10,
			Attrs: ct.Attrs(epg.AttrHTTPRoute, "/hello", "http.request.method", "GET", epg.AttrSpanKind, "server", epg.AttrHTTPStatus, 200)})
	}
	g := ct.Graph(f)
	ts := cohort.Healthy(cohort.LoadAll(g), cohort.Key{Service: "svc", Endpoint: "GET /hello"}, nil)
	if len(ts) != 10 {
		t.Fatalf("%d healthy traces, want 10", len(ts))
	}
	return ts
}

func helloCapsule(name string) *capsule.Capsule {
	return &capsule.Capsule{Format: capsule.Version, ID: "c-" + name, Service: "svc", Route: "GET /hello", Factory: "example.com/svc",
		Promoted: capsule.PromotedSample, Start: time.Now().UnixNano(),
		Request:  capsule.Request{Method: "GET", Path: "/hello", Query: "name=" + name},
		Response: capsule.Response{Status: 200}}
}

func TestNeighboursAndInvariantsOnPatchedTrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a service five times")
	}
	repo := layout(t, healthyBody)
	chk := happypath.New("inc-1", repo, []*capsule.Capsule{helloCapsule("ann"), helloCapsule("bob")}, healthyTraces(t))
	ctx := context.Background()
	chk.Prefetch(ctx)
	for _, c := range []struct {
		name                  string
		body                  string
		neighbours, invariant bool
		detail                []string // in the failing check's detail
	}{
		{"unchanged", "// a comment only\n\t\t" + healthyBody, true, true, nil},
		{"answer changed", `fmt.Fprintf(w, "hi %s", r.URL.Query().Get("name"))`, false, true, []string{"answer differs"}},
		{"slow", "time.Sleep(400 * time.Millisecond)\n\t\t" + healthyBody, true, false, []string{"lasts at most", "observed 4"}},
		{"not found", `http.NotFound(w, r)`, false, false, []string{"status 200 → 404", "http.response.status_code is within", "observed 404"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tree := layout(t, c.body)
			same, nd, err := chk.Neighbours(ctx, tree)
			if err != nil {
				t.Fatal(err)
			}
			hold, id, err := chk.Invariants(ctx, tree)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("neighbours: %v\n%s\ninvariants: %v\n%s", same, nd, hold, id)
			if same != c.neighbours || hold != c.invariant {
				t.Fatalf("neighbours %v, invariants %v; want %v, %v", same, hold, c.neighbours, c.invariant)
			}
			for _, want := range c.detail {
				if !strings.Contains(nd+"\n"+id, want) {
					t.Errorf("details do not say %q", want)
				}
			}
		})
	}
}

func TestNothingToCheckIsNotApplicable(t *testing.T) {
	chk := happypath.New("inc-2", t.TempDir(), nil, nil)
	if _, _, err := chk.Neighbours(context.Background(), t.TempDir()); !errorIsNotApplicable(err) {
		t.Errorf("Neighbours without capsules: %v, want not applicable", err)
	}
	if _, _, err := chk.Invariants(context.Background(), t.TempDir()); !errorIsNotApplicable(err) || !strings.Contains(err.Error(), "no healthy production traces") {
		t.Errorf("Invariants without traces: %v, want not applicable", err)
	}
	chk = happypath.New("inc-3", t.TempDir(), nil, healthyTraces(t))
	if _, _, err := chk.Invariants(context.Background(), t.TempDir()); !errorIsNotApplicable(err) || !strings.Contains(err.Error(), "no healthy captures") {
		t.Errorf("Invariants without capsules: %v, want not applicable", err)
	}
}

func errorIsNotApplicable(err error) bool { return errors.Is(err, verify.ErrNotApplicable) }
