package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"

	"github.com/tagdebug/tag/internal/evidence"
)

// benchBody is an export request of n spans whose IDs derive from i, so
// that no two iterations are duplicates the store could skip.
func benchBody(b *testing.B, i, n int) []byte {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "bench")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for k := range n {
		sp := spans.AppendEmpty()
		var tid [16]byte
		binary.BigEndian.PutUint64(tid[:], uint64(i)+1)
		sid := [8]byte{1}
		binary.BigEndian.PutUint32(sid[4:], uint32(k)+1)
		sp.SetTraceID(tid)
		sp.SetSpanID(sid)
		sp.SetName("GET /items")
		sp.SetStartTimestamp(1_700_000_000_000_000_000)
		sp.SetEndTimestamp(1_700_000_000_001_000_000)
		sp.Attributes().PutStr("http.route", "/items")
	}
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkHTTPExport measures a 100-span protobuf request through the
// OTLP/HTTP receiver, against the same request through the pipeline
// directly (the cost of the receiver is the difference).
func BenchmarkHTTPExport(b *testing.B) {
	const spans = 100
	b.Run("otlp-http", func(b *testing.B) {
		srv := startServer(b, testConfig(), openStore(b))
		url := "http://" + srv.HTTPAddr() + "/v1/traces"
		client := &http.Client{}
		b.SetBytes(int64(len(benchBody(b, 0, spans))))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			resp, err := client.Post(url, ctProto, bytes.NewReader(benchBody(b, i, spans)))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.Run("pipeline", func(b *testing.B) {
		p := pipelineFor(openStore(b))
		b.SetBytes(int64(len(benchBody(b, 0, spans))))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			in := &evidence.Input{Name: "bench", Data: benchBody(b, i, spans)}
			if _, err := p.Bytes(context.Background(), in, "otlp-proto"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
