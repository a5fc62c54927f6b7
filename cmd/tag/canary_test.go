package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/redact/redacttest"
	"github.com/tagdebug/tag/internal/store"
)

// canarySink collects everything TAG let out during the canary run.
type canarySink struct {
	outputs map[string][]byte
}

func (s *canarySink) add(where string, b []byte) {
	s.outputs[where] = append(s.outputs[where], b...)
}

// TestCanaryNoPlantedValueEscapes ingests evidence full of planted
// secrets and PII through every decoder and both OTLP receivers, then
// searches the store's files, the stored fragments, every CLI --json
// output, every error message, every API response and every redacted
// copy for the raw values. None may appear.
func TestCanaryNoPlantedValueEscapes(t *testing.T) {
	g := redacttest.NewGen(20261124)
	secrets, pii := g.Secrets(), g.PII()
	plants := append(append([]redacttest.Plant{}, secrets...), pii...)
	files := canaryEvidence(t, plants, pii)

	dir := t.TempDir()
	st := filepath.Join(dir, "store")
	sink := &canarySink{outputs: map[string][]byte{}}
	ev := filepath.Join(dir, "evidence")
	if err := os.MkdirAll(ev, 0o755); err != nil {
		t.Fatal(err)
	}
	formats := map[string]bool{}
	carried := map[string]bool{}
	for _, f := range files {
		path := filepath.Join(ev, f.name)
		if err := os.WriteFile(path, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := tag(t, "--store", st, "ingest", "--json", path)
		sink.add("tag ingest --json "+f.name, []byte(out+errOut))
		if code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", f.name, code, errOut)
		}
		var res ingestOutput
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		if got := res.Files[0].Format; got != f.format {
			t.Errorf("%s decoded as %s, want %s", f.name, got, f.format)
		}
		formats[f.format] = true
		canaryControl(t, path, f, plants, carried)
		canaryRedactCommands(t, sink, st, path, f)
	}
	for _, p := range plants {
		if !carried[p.Secret] {
			t.Errorf("no decoder carried the %s plant into the graph: the canary would not see it leak", p.Provider)
		}
	}
	if missing := missingDecoders(formats); len(missing) > 0 {
		t.Errorf("the canary does not exercise decoders %v: every decoder must carry planted values", missing)
	}
	canaryBadInput(t, sink, st, ev, plants)
	canaryServe(t, sink, st, plants)
	canaryReads(t, sink, st)
	canaryStore(t, sink, st)

	leaks := canaryLeaks(sink, plants)
	t.Logf("canary: %d planted values (%d secrets, %d PII) × %d decoders + OTLP/HTTP + OTLP/gRPC; searched %d outputs (%d bytes): %d leaks",
		len(plants), len(secrets), len(pii), len(files), len(sink.outputs), sink.size(), len(leaks))
	for _, l := range leaks {
		t.Error(l)
	}
}

func (s *canarySink) size() int {
	n := 0
	for _, b := range s.outputs {
		n += len(b)
	}
	return n
}

// canaryControl decodes the file without redaction and checks that the
// plants reach the graph at all: a format that dropped them would make
// the leak search pass for nothing.
func canaryControl(t *testing.T, path string, f canaryFile, plants []redacttest.Plant, carried map[string]bool) {
	frag, err := ingest.Decode(context.Background(), ingest.Decoders(), &evidence.Input{Name: path, Data: f.data}, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(frag)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range plants {
		esc, _ := json.Marshal(p.Secret)
		if bytes.Contains(raw, esc[1:len(esc)-1]) {
			carried[p.Secret] = true
			n++
		}
	}
	t.Logf("%-16s %-15s carries %d of %d planted values before redaction", f.name, f.format, n, len(plants))
	if n == 0 {
		t.Errorf("%s (%s) carries no planted value into the graph", f.name, f.format)
	}
}

// canaryRedactCommands runs `tag redact --dry-run --json` and `tag redact`
// on the file and adds the outputs and the copy.
func canaryRedactCommands(t *testing.T, sink *canarySink, st, path string, f canaryFile) {
	code, out, errOut := tag(t, "--store", st, "redact", "--dry-run", "--json", path)
	sink.add("tag redact --dry-run --json "+f.name, []byte(out+errOut))
	if code != 0 {
		t.Errorf("redact --dry-run %s: exit %d: %s", f.name, code, errOut)
	}
	code, out, errOut = tag(t, "--store", st, "redact", "--json", "-o", filepath.Join(filepath.Dir(path), "..", "copies"), path)
	sink.add("tag redact --json "+f.name, []byte(out+errOut))
	if f.format == "go-exectrace" {
		if code != 2 || !strings.Contains(errOut, "cannot be rewritten") {
			t.Errorf("redact of an execution trace: exit %d, %q; want a clear refusal", code, errOut)
		}
		return
	}
	if code != 0 {
		t.Errorf("redact %s: exit %d: %s", f.name, code, errOut)
		return
	}
	cp, err := os.ReadFile(filepath.Join(filepath.Dir(path), "..", "copies", f.name))
	if err != nil {
		t.Fatal(err)
	}
	sink.add("redacted copy of "+f.name, canaryReadable(t, f.format, cp))
	// The copy is still evidence of its format.
	code, _, errOut = tag(t, "--store", filepath.Join(st, "..", "copystore"), "ingest", "--format", f.format, filepath.Join(filepath.Dir(path), "..", "copies", f.name))
	if code != 0 {
		t.Errorf("the redacted copy of %s does not ingest: %s", f.name, errOut)
	}
}

// canaryReadable renders binary copies as text for the search: OTLP
// protobuf as OTLP JSON, pprof as its text form.
func canaryReadable(t *testing.T, format string, b []byte) []byte {
	switch format {
	case "otlp-proto":
		req := plogotlp.NewExportRequest()
		if err := req.UnmarshalProto(b); err != nil {
			t.Fatal(err)
		}
		js, err := req.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return js
	case "pprof":
		return append(b, []byte(pprofText(t, b))...)
	}
	return b
}

// canaryBadInput feeds a broken file whose error position sits on a
// secret: the error must still not quote it.
func canaryBadInput(t *testing.T, sink *canarySink, st, ev string, plants []redacttest.Plant) {
	for _, p := range plants[:8] {
		bad := filepath.Join(ev, "bad.json")
		doc := `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"` + p.Secret + `"}]}]}]}`
		if err := os.WriteFile(bad, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := tag(t, "--store", st, "ingest", "--json", bad)
		sink.add("tag ingest of bad input ("+p.Provider+")", []byte(out+errOut))
		if code != 2 {
			t.Errorf("bad input: exit %d, want 2", code)
		}
	}
}

// canaryServe runs `tag serve`, sends the traces and logs over OTLP/HTTP
// (JSON and protobuf, plus a malformed body) and OTLP/gRPC, and reads
// every API endpoint.
func canaryServe(t *testing.T, sink *canarySink, st string, plants []redacttest.Plant) {
	srv := startServe(t, st)
	info := srv.info
	ctx := context.Background()

	const base = int64(1_763_990_000_000_000_000) // not the files' traces: new incidents
	traces := canaryTraces(plants, base)
	tj, _ := (&ptrace.JSONMarshaler{}).MarshalTraces(traces)
	tp, _ := (&ptrace.ProtoMarshaler{}).MarshalTraces(canaryTraces(plants, base+1e12))
	post := func(name, path, ctype string, body []byte) {
		resp, err := http.Post("http://"+info.OTLPHTTP+path, ctype, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sink.add("OTLP/HTTP response to "+name, b)
	}
	post("traces JSON", "/v1/traces", "application/json", tj)
	post("traces protobuf", "/v1/traces", "application/x-protobuf", tp)
	post("malformed JSON", "/v1/traces", "application/json", []byte(`{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"`+plants[0].Secret+`"`))

	conn, err := grpc.NewClient(info.OTLPGRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := ptraceotlp.NewGRPCClient(conn).Export(ctx, ptraceotlp.NewExportRequestFromTraces(canaryTraces(plants, base+2e12)))
	if err != nil {
		t.Fatalf("OTLP/gRPC export: %v", err)
	}
	rb, _ := resp.MarshalJSON()
	sink.add("OTLP/gRPC response", rb)

	get := func(path string) []byte {
		resp, err := http.Get("http://" + info.API + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		sink.add("API GET "+path, b)
		if resp.StatusCode != http.StatusOK {
			audit, _ := os.ReadFile(filepath.Join(st, "egress-audit.jsonl"))
			t.Errorf("GET %s: %s: %s\negress audit:\n%s", path, resp.Status, b, audit)
		}
		return b
	}
	var ins []store.Incident
	if err := json.Unmarshal(get("/api/v1/incidents"), &ins); err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		get("/api/v1/incidents/" + in.ID)
	}
	get("/api/v1/artifacts")

	sink.add("tag serve stderr (logs)", []byte(srv.stop(t)))
}

// canaryReads runs every read command with --json.
func canaryReads(t *testing.T, sink *canarySink, st string) {
	code, out, errOut := tag(t, "--store", st, "incidents", "--json")
	sink.add("tag incidents --json", []byte(out+errOut))
	if code != 0 {
		t.Fatal(errOut)
	}
	var ins []store.Incident
	if err := json.Unmarshal([]byte(out), &ins); err != nil {
		t.Fatal(err)
	}
	if len(ins) < 5 {
		t.Errorf("only %d incidents from the canary evidence", len(ins))
	}
	for _, in := range ins {
		for _, args := range [][]string{{"show", in.ID, "--json"}, {"show", in.ID}} {
			code, out, errOut := tag(t, append([]string{"--store", st}, args...)...)
			sink.add("tag "+strings.Join(args, " "), []byte(out+errOut))
			if code != 0 {
				t.Errorf("tag %v: %s", args, errOut)
			}
		}
	}
	code, out, errOut = tag(t, "--store", st, "incidents")
	sink.add("tag incidents", []byte(out+errOut))
}

// canaryStore adds every file under the store (the database, its WAL,
// the key's neighbours, the audit log) and every stored fragment as JSON
// (fragments are stored compressed, so the raw file search alone would
// prove nothing about them).
func canaryStore(t *testing.T, sink *canarySink, st string) {
	err := filepath.WalkDir(st, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "redact.key" {
			return err
		}
		b, err := os.ReadFile(p)
		sink.add("store file "+d.Name(), b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	arts, err := s.Artifacts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, a := range arts {
		ids = append(ids, a.ID)
		if a.Policy == "none" || a.Policy == "" {
			t.Errorf("artifact %s stored with policy %q: ingest did not redact", a.Name, a.Policy)
		}
	}
	frags, err := s.Fragments(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frags {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		sink.add("stored fragment "+f.Source, b)
	}
}

// canaryLeaks finds each plant's raw value in the outputs, as written and
// as JSON escapes it.
func canaryLeaks(sink *canarySink, plants []redacttest.Plant) []string {
	var leaks []string
	wheres := make([]string, 0, len(sink.outputs))
	for w := range sink.outputs {
		wheres = append(wheres, w)
	}
	sort.Strings(wheres)
	for _, p := range plants {
		esc, _ := json.Marshal(p.Secret)
		forms := [][]byte{[]byte(p.Secret), esc[1 : len(esc)-1]}
		for _, w := range wheres {
			for _, f := range forms {
				if i := bytes.Index(sink.outputs[w], f); i >= 0 {
					leaks = append(leaks, "LEAK: "+p.Provider+" value in "+w+": …"+context50(sink.outputs[w], i)+"…")
					break
				}
			}
		}
	}
	return leaks
}

// context50 is the text before a leak, so the report says where without
// repeating the value.
func context50(b []byte, i int) string {
	return strings.ToValidUTF8(string(b[max(0, i-50):i]), "?")
}

// missingDecoders lists registered decoders the canary did not feed.
func missingDecoders(fed map[string]bool) []string {
	var out []string
	for _, d := range ingest.Decoders() {
		if !fed[d.Format()] {
			out = append(out, d.Format())
		}
	}
	return out
}

// pprofText is a profile's text rendering, labels included.
func pprofText(t *testing.T, b []byte) string {
	p, err := profile.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return p.String()
}
