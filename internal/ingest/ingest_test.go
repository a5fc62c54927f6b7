package ingest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/store"
)

func newPipeline(t *testing.T) (*Pipeline, *store.SQLite) {
	t.Helper()
	st, err := store.OpenSQLite(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &Pipeline{Store: st}, st
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// span renders one OTLP/JSON span request.
func spanJSON(trace, id, parent, name, status, extra string) string {
	p := ""
	if parent != "" {
		p = `"parentSpanId":"` + parent + `",`
	}
	return `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},"scopeSpans":[{"spans":[{` +
		`"traceId":"` + trace + `","spanId":"` + id + `",` + p + `"name":"` + name + `","kind":2,` +
		`"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000500000000",` +
		`"status":{"code":` + status + `}` + extra + `}]}]}]}`
}

const trace1 = "0af7651916cd43dd8448eb211c80319c"

func TestBadFileInMiddleLeavesNoTrace(t *testing.T) {
	p, st := newPipeline(t)
	dir := t.TempDir()
	good1 := write(t, dir, "a.json", spanJSON(trace1, "b7ad6b7169203331", "", "GET /a", "2", ""))
	bad := write(t, dir, "b.json", `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"`+trace1+`",}]}]}]}`)
	good2 := write(t, dir, "c.json", spanJSON(trace1, "b7ad6b7169203332", "", "GET /c", "2", ""))
	_, err := p.Files(context.Background(), []string{good1, bad, good2}, "", nil)
	if !errors.Is(err, evidence.ErrBadInput) {
		t.Fatalf("err = %v, want bad input", err)
	}
	var ee *evidence.Error
	if !errors.As(err, &ee) || ee.File != bad || ee.Line != 1 || ee.Offset != 89 {
		t.Errorf("error %v does not point at %s line 1 byte 89", err, bad)
	}
	arts, _ := st.Artifacts(context.Background())
	ins, _ := st.Incidents(context.Background())
	if len(arts) != 0 || len(ins) != 0 {
		t.Fatalf("store not empty after failed ingest: %d artifacts, %d incidents", len(arts), len(ins))
	}
	// The good files alone ingest fine.
	res, err := p.Files(context.Background(), []string{good1, good2}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || len(res.Incidents) != 2 {
		t.Fatalf("result = %+v", res)
	}
}

func TestReingestIsIdempotent(t *testing.T) {
	p, st := newPipeline(t)
	f := write(t, t.TempDir(), "a.json", spanJSON(trace1, "b7ad6b7169203331", "", "GET /a", "2", ""))
	for i := 0; i < 2; i++ {
		res, err := p.Files(context.Background(), []string{f}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if dup := res.Files[0].Duplicate; dup != (i == 1) {
			t.Errorf("round %d: duplicate = %v", i, dup)
		}
	}
	ins, _ := st.Incidents(context.Background())
	if len(ins) != 1 || ins[0].Count != 1 {
		t.Fatalf("incidents = %+v, want one with count 1", ins)
	}
}

// A trace arrives in two requests: first the failing root span, later the
// child that actually raised. The incident moves to the origin.
func TestIncidentsRederivedAcrossArtifacts(t *testing.T) {
	p, st := newPipeline(t)
	ctx := context.Background()
	root := spanJSON(trace1, "00f067aa0ba902b7", "", "GET /cart", "2", "")
	if _, err := p.Bytes(ctx, &evidence.Input{Name: "req1", Data: []byte(root)}, ""); err != nil {
		t.Fatal(err)
	}
	ins, _ := st.Incidents(ctx)
	if len(ins) != 1 || ins[0].Kind != string(incident.KindError) {
		t.Fatalf("after root: %+v", ins)
	}
	child := spanJSON(trace1, "b7ad6b7169203331", "00f067aa0ba902b7", "load", "2",
		`,"events":[{"timeUnixNano":"1700000000100000000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"KeyError"}},{"key":"exception.message","value":{"stringValue":"'cart'"}}]}]`)
	res, err := p.Bytes(ctx, &evidence.Input{Name: "req2", Data: []byte(child)}, "")
	if err != nil {
		t.Fatal(err)
	}
	ins, _ = st.Incidents(ctx)
	if len(ins) != 1 || ins[0].Kind != string(incident.KindException) || !strings.HasPrefix(ins[0].Title, "KeyError") || ins[0].Endpoint != "GET /cart" {
		t.Fatalf("after child: %+v (result %+v)", ins, res.Incidents)
	}
	occ, _ := st.Occurrences(ctx, ins[0].ID)
	if len(occ) != 1 || len(occ[0].Artifacts) != 2 {
		t.Fatalf("occurrences = %+v, want one backed by both artifacts", occ)
	}
}

func TestParentCycleRejected(t *testing.T) {
	p, st := newPipeline(t)
	body := `{"resourceSpans":[{"scopeSpans":[{"spans":[` +
		`{"traceId":"` + trace1 + `","spanId":"1111111111111111","parentSpanId":"2222222222222222","name":"a"},` +
		`{"traceId":"` + trace1 + `","spanId":"2222222222222222","parentSpanId":"1111111111111111","name":"b"}]}]}]}`
	_, err := p.Bytes(context.Background(), &evidence.Input{Name: "cycle.json", Data: []byte(body)}, "")
	var ee *evidence.Error
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "cycle") || ee.Offset < 0 {
		t.Fatalf("err = %v, want a positioned cycle error", err)
	}
	if arts, _ := st.Artifacts(context.Background()); len(arts) != 0 {
		t.Fatal("cyclic artifact stored")
	}
}

func TestUnknownFormatAndForcedFormat(t *testing.T) {
	p, _ := newPipeline(t)
	dir := t.TempDir()
	f := write(t, dir, "x.txt", "hello, not evidence\n")
	if _, err := p.Files(context.Background(), []string{f}, "", nil); !errors.Is(err, evidence.ErrUnknownFormat) {
		t.Errorf("err = %v, want unknown format", err)
	}
	if _, err := p.Files(context.Background(), []string{f}, "nope", nil); !errors.Is(err, evidence.ErrBadInput) || !strings.Contains(err.Error(), "otlp-json") {
		t.Errorf("err = %v, want bad input listing formats", err)
	}
	if _, err := p.Files(context.Background(), []string{f}, "otlp-json", nil); !errors.Is(err, evidence.ErrBadInput) {
		t.Errorf("err = %v, want bad input", err)
	}
}
