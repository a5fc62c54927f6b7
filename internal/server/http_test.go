package server

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tagdebug/tag/internal/incident"
)

const (
	ctProto = "application/x-protobuf"
	ctJSON  = "application/json"
)

// exportBody encodes an export request of the signal.
func exportBody(t testing.TB, logs bool, seed byte, json bool) []byte {
	t.Helper()
	var m otlpMessage = ptraceotlp.NewExportRequestFromTraces(failingTraces(seed))
	if logs {
		m = plogotlp.NewExportRequestFromLogs(errorLogs(seed))
	}
	enc := encProto
	if json {
		enc = encJSON
	}
	body, err := enc.marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// decodeResponse parses an Export*ServiceResponse and returns its
// partial success counts.
func decodeResponse(t testing.TB, logs bool, contentType string, body []byte) (rejected int64, msg string) {
	t.Helper()
	if logs {
		r := plogotlp.NewExportResponse()
		unmarshal(t, contentType, body, r.UnmarshalProto, r.UnmarshalJSON)
		return r.PartialSuccess().RejectedLogRecords(), r.PartialSuccess().ErrorMessage()
	}
	r := ptraceotlp.NewExportResponse()
	unmarshal(t, contentType, body, r.UnmarshalProto, r.UnmarshalJSON)
	return r.PartialSuccess().RejectedSpans(), r.PartialSuccess().ErrorMessage()
}

func unmarshal(t testing.TB, contentType string, body []byte, fromProto, fromJSON func([]byte) error) {
	t.Helper()
	fn := fromProto
	if contentType == ctJSON {
		fn = fromJSON
	}
	if err := fn(body); err != nil {
		t.Fatalf("response %q does not decode as %s: %v", body, contentType, err)
	}
}

// decodeStatus parses a google.rpc.Status body.
func decodeStatus(t testing.TB, contentType string, body []byte) *spb.Status {
	t.Helper()
	st := &spb.Status{}
	var err error
	if contentType == ctJSON {
		err = protojson.Unmarshal(body, st)
	} else {
		err = proto.Unmarshal(body, st)
	}
	if err != nil {
		t.Fatalf("body %q is not a google.rpc.Status: %v", body, err)
	}
	return st
}

func TestHTTPExportIsStored(t *testing.T) {
	for i, tc := range []struct {
		name        string
		logs        bool
		contentType string
		gzip        bool
		wantFormat  string
	}{
		{"traces/protobuf", false, ctProto, false, "otlp-proto"},
		{"traces/json", false, ctJSON, false, "otlp-json"},
		{"traces/protobuf+gzip", false, ctProto, true, "otlp-proto"},
		{"traces/json+gzip", false, ctJSON, true, "otlp-json"},
		{"logs/protobuf", true, ctProto, false, "otlp-proto"},
		{"logs/json+gzip", true, ctJSON, true, "otlp-json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t)
			srv := startServer(t, testConfig(), st)
			body := exportBody(t, tc.logs, byte(i), tc.contentType == ctJSON)
			encoding := ""
			if tc.gzip {
				body, encoding = gzipBytes(t, body), "gzip"
			}
			path := "/v1/traces"
			if tc.logs {
				path = "/v1/logs"
			}
			resp, data := post(t, "http://"+srv.HTTPAddr()+path, tc.contentType, encoding, body)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, data)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("response Content-Type %q, want %q", got, tc.contentType)
			}
			if n, _ := decodeResponse(t, tc.logs, tc.contentType, data); n != 0 {
				t.Errorf("%d records reported rejected", n)
			}
			arts := artifacts(t, st)
			if len(arts) != 1 || arts[0].Format != tc.wantFormat || arts[0].Name != "otlp-http "+path {
				t.Fatalf("stored artifacts %+v, want one %s from %s", arts, tc.wantFormat, path)
			}
			if !tc.logs && incidentKinds(t, st)[string(incident.KindException)] == 0 {
				t.Errorf("no exception incident stored: %v", incidentKinds(t, st))
			}
		})
	}
}

func TestHTTPPartialSuccess(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	td := failingTraces(1)
	bad := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty()
	bad.SetName("no IDs")
	for _, ct := range []string{ctProto, ctJSON} {
		var m otlpMessage = ptraceotlp.NewExportRequestFromTraces(td)
		body, _ := map[string]encoding{ctProto: encProto, ctJSON: encJSON}[ct].marshal(m)
		resp, data := post(t, "http://"+srv.HTTPAddr()+"/v1/traces", ct, "", body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", ct, resp.StatusCode, data)
		}
		n, msg := decodeResponse(t, false, ct, data)
		if n != 1 || msg == "" {
			t.Errorf("%s: partial success rejected_spans=%d error_message=%q, want 1 and a reason", ct, n, msg)
		}
	}
	if got := len(artifacts(t, st)); got != 2 {
		t.Errorf("%d artifacts stored, want 2 (the good span of each request)", got)
	}
}

func TestHTTPBadBodyThenGood(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	url := "http://" + srv.HTTPAddr() + "/v1/traces"
	for _, tc := range []struct {
		name, contentType, encoding string
		body                        []byte
		want                        string
	}{
		{"json syntax", ctJSON, "", []byte("{\"resourceSpans\": [\n  {\"resource\": }]}"), "byte"},
		{"protobuf truncated", ctProto, "", exportBody(t, false, 1, false)[:40], "byte"},
		{"gzip garbage", ctProto, "gzip", []byte("not gzip at all"), "gzip"},
		{"span cycle", ctProto, "", cycleBody(t), "cycle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := post(t, url, tc.contentType, tc.encoding, tc.body)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", resp.StatusCode, data)
			}
			st := decodeStatus(t, tc.contentType, data)
			if codes.Code(st.Code) != codes.InvalidArgument || !strings.Contains(st.Message, tc.want) {
				t.Errorf("status %v %q, want InvalidArgument naming %q", codes.Code(st.Code), st.Message, tc.want)
			}
			t.Logf("400: %s", st.Message)
		})
	}
	resp, data := post(t, url, ctProto, "", exportBody(t, false, 2, false))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("good request after bad ones: status %d: %s", resp.StatusCode, data)
	}
	if got := len(artifacts(t, st)); got != 1 {
		t.Errorf("%d artifacts stored, want only the good request", got)
	}
}

// cycleBody is a request whose two spans are each other's parent.
func cycleBody(t testing.TB) []byte {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for i, parent := range []byte{2, 1} {
		sp := spans.AppendEmpty()
		sp.SetName("loop")
		sp.SetTraceID(traceID(9))
		sp.SetSpanID(spanID(9, byte(i+1)))
		sp.SetParentSpanID(spanID(9, parent))
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestHTTPRefusals(t *testing.T) {
	st := openStore(t)
	cfg := testConfig()
	cfg.MaxBodyBytes = 64 << 10
	srv := startServer(t, cfg, st)
	base := "http://" + srv.HTTPAddr()
	good := exportBody(t, false, 1, false)
	bomb := gzipBytes(t, make([]byte, 4<<20)) // 4 MiB of zeros in ~4 KiB

	t.Run("405", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/traces", nil)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
			t.Errorf("GET: status %d Allow %q, want 405 POST", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
	for _, tc := range []struct {
		name, path, contentType, encoding string
		body                              []byte
		want                              int
	}{
		{"415 content type", "/v1/traces", "text/plain", "", good, http.StatusUnsupportedMediaType},
		{"415 content encoding", "/v1/traces", ctProto, "br", good, http.StatusUnsupportedMediaType},
		{"404 metrics", "/v1/metrics", ctProto, "", good, http.StatusNotFound},
		{"413 body", "/v1/logs", ctJSON, "", bytes.Repeat([]byte(" "), 65<<10), http.StatusRequestEntityTooLarge},
		{"413 gzip bomb", "/v1/traces", ctProto, "gzip", bomb, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, data := post(t, base+tc.path, tc.contentType, tc.encoding, tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, data)
			}
			if tc.want == http.StatusRequestEntityTooLarge {
				if st := decodeStatus(t, tc.contentType, data); !strings.Contains(st.Message, "larger than") {
					t.Errorf("413 message %q", st.Message)
				}
			}
		})
	}
	t.Run("413 chunked", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/traces", struct{ *bytes.Reader }{bytes.NewReader(make([]byte, 1<<20))})
		req.Header.Set("Content-Type", ctProto)
		if resp, data := do(t, req); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413: %s", resp.StatusCode, data)
		}
	})
	if resp, data := post(t, base+"/v1/traces", ctProto, "", good); resp.StatusCode != http.StatusOK {
		t.Fatalf("good request after refusals: status %d: %s", resp.StatusCode, data)
	}
	if got := len(artifacts(t, st)); got != 1 {
		t.Errorf("%d artifacts stored, want 1", got)
	}
}
