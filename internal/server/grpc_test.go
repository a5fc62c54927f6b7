package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"

	"github.com/tagdebug/tag/internal/incident"
)

// dial connects a gRPC client to the server's OTLP/gRPC receiver.
func dial(t testing.TB, srv *Server) *grpc.ClientConn {
	t.Helper()
	cc, err := grpc.NewClient(srv.GRPCAddr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestGRPCExportIsStored(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	cc := dial(t, srv)
	traces, logs := ptraceotlp.NewGRPCClient(cc), plogotlp.NewGRPCClient(cc)
	for i, opts := range [][]grpc.CallOption{nil, {grpc.UseCompressor(gzip.Name)}} {
		seed := byte(10 + i)
		tr, err := traces.Export(timeout(t), ptraceotlp.NewExportRequestFromTraces(failingTraces(seed)), opts...)
		if err != nil {
			t.Fatalf("traces export %d: %v", i, err)
		}
		if n := tr.PartialSuccess().RejectedSpans(); n != 0 {
			t.Errorf("%d spans rejected", n)
		}
		lr, err := logs.Export(timeout(t), plogotlp.NewExportRequestFromLogs(errorLogs(seed)), opts...)
		if err != nil {
			t.Fatalf("logs export %d: %v", i, err)
		}
		if n := lr.PartialSuccess().RejectedLogRecords(); n != 0 {
			t.Errorf("%d log records rejected", n)
		}
	}
	arts := artifacts(t, st)
	if len(arts) != 4 {
		t.Fatalf("%d artifacts stored, want 4", len(arts))
	}
	for _, a := range arts {
		if a.Format != "otlp-proto" || !strings.HasPrefix(a.Name, "otlp-grpc /v1/") || a.Size == 0 {
			t.Errorf("artifact %+v", a)
		}
	}
	if incidentKinds(t, st)[string(incident.KindException)] == 0 {
		t.Errorf("no exception incident: %v", incidentKinds(t, st))
	}
}

func TestGRPCPartialSuccessAndBadData(t *testing.T) {
	st := openStore(t)
	srv := startServer(t, testConfig(), st)
	client := ptraceotlp.NewGRPCClient(dial(t, srv))

	td := failingTraces(1)
	td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().AppendEmpty().SetName("no IDs")
	resp, err := client.Export(timeout(t), ptraceotlp.NewExportRequestFromTraces(td))
	if err != nil {
		t.Fatal(err)
	}
	if ps := resp.PartialSuccess(); ps.RejectedSpans() != 1 || ps.ErrorMessage() == "" {
		t.Errorf("partial success %d %q, want 1 rejected with a reason", ps.RejectedSpans(), ps.ErrorMessage())
	}

	req := ptraceotlp.NewExportRequest()
	if err := req.UnmarshalProto(cycleBody(t)); err != nil {
		t.Fatal(err)
	}
	_, err = client.Export(timeout(t), req)
	if s := status.Convert(err); s.Code() != codes.InvalidArgument || !strings.Contains(s.Message(), "cycle") {
		t.Errorf("cyclic spans: %v, want InvalidArgument naming the cycle", err)
	}
	if _, err := client.Export(timeout(t), ptraceotlp.NewExportRequestFromTraces(failingTraces(2))); err != nil {
		t.Errorf("good request after a bad one: %v", err)
	}
	if got := len(artifacts(t, st)); got != 2 {
		t.Errorf("%d artifacts, want 2", got)
	}
}

func TestGRPCMessageTooLarge(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 1 << 10
	srv := startServer(t, cfg, openStore(t))
	client := ptraceotlp.NewGRPCClient(dial(t, srv))
	td := failingTraces(1)
	// Compressed, the padding is far below the limit; decompressed it is
	// four times over it.
	td.ResourceSpans().At(0).Resource().Attributes().PutStr("padding", strings.Repeat("x", 4<<10))
	for _, opts := range [][]grpc.CallOption{nil, {grpc.UseCompressor(gzip.Name)}} {
		_, err := client.Export(timeout(t), ptraceotlp.NewExportRequestFromTraces(td), opts...)
		if status.Code(err) != codes.ResourceExhausted {
			t.Errorf("oversized message (%d options): %v, want ResourceExhausted", len(opts), err)
		}
	}
}
