package server

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// TestShutdownDrains checks that Shutdown lets an admitted request be
// stored and answered before the worker stops, and that nothing is
// accepted afterwards.
func TestShutdownDrains(t *testing.T) {
	st := newGatedStore(openStore(t))
	srv := New(testConfig(), pipelineFor(st), testLogger(t))
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	httpAddr, grpcAddr := srv.HTTPAddr(), srv.GRPCAddr()
	answer := make(chan error, 1)
	req := ptraceotlp.NewExportRequestFromTraces(failingTraces(1))
	client := ptraceotlp.NewGRPCClient(dial(t, srv))
	go func() {
		_, err := client.Export(context.Background(), req)
		answer <- err
	}()
	<-st.entered

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- srv.Shutdown(ctx)
	}()
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) while a request was still being stored", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(st.gate)
	if err := <-answer; err != nil {
		t.Errorf("request in flight during shutdown: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if got := len(artifacts(t, st)); got != 1 {
		t.Errorf("%d artifacts, want the in-flight request stored", got)
	}
	for _, addr := range []string{httpAddr, grpcAddr} {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Shutdown", addr)
		}
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestDisabledReceiverAndConfig(t *testing.T) {
	cfg := testConfig()
	cfg.OTLPHTTPAddr = ""
	srv := startServer(t, cfg, openStore(t))
	if srv.HTTPAddr() != "" || srv.GRPCAddr() == "" {
		t.Errorf("HTTPAddr %q GRPCAddr %q, want only gRPC", srv.HTTPAddr(), srv.GRPCAddr())
	}
	if err := srv.Start(context.Background()); err == nil {
		t.Error("second Start succeeded")
	}

	def := DefaultConfig()
	if def.OTLPHTTPAddr != ":4318" || def.OTLPGRPCAddr != ":4317" || def.QueueSize <= 0 || def.MaxBodyBytes <= 0 || def.RetryAfter <= 0 {
		t.Errorf("DefaultConfig %+v", def)
	}
	bad := testConfig()
	bad.QueueSize = -1
	if err := New(bad, pipelineFor(openStore(t)), nil).Start(context.Background()); err == nil || !strings.Contains(err.Error(), "queue") {
		t.Errorf("negative queue size: %v", err)
	}
	busy := testConfig()
	busy.OTLPGRPCAddr = srv.GRPCAddr()
	other := New(busy, pipelineFor(openStore(t)), nil)
	if err := other.Start(context.Background()); err == nil {
		other.Shutdown(context.Background())
		t.Error("Start on a bound address succeeded")
	}
	if err := New(testConfig(), pipelineFor(openStore(t)), nil).Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown before Start: %v", err)
	}
}
