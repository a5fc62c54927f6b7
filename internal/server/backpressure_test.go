package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestBackPressure fills the queue behind a worker held in the store and
// checks that both receivers refuse further requests at once as
// retryable, and that everything admitted is stored once the store moves.
func TestBackPressure(t *testing.T) {
	st := newGatedStore(openStore(t))
	cfg := testConfig()
	cfg.QueueSize = 2
	cfg.RetryAfter = 3 * time.Second
	srv := startServer(t, cfg, st)
	url := "http://" + srv.HTTPAddr() + "/v1/traces"

	var wg sync.WaitGroup
	answers := make(chan string, 2)
	admitted := func(seed byte) {
		body := exportBody(t, false, seed, false)
		wg.Go(func() { answers <- postAsync(url, body) })
	}
	admitted(1)
	<-st.entered // the worker holds request 1 in the store
	admitted(2)
	waitFor(t, func() bool { return srv.Pending() == 2 })

	start := time.Now()
	resp, data := post(t, url, ctProto, "", exportBody(t, false, 3, false))
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Fatalf("full queue: status %d Retry-After %q, want 429 and 3", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if s := decodeStatus(t, ctProto, data); codes.Code(s.Code) != codes.ResourceExhausted {
		t.Errorf("429 body %v", s)
	}
	_, err := ptraceotlp.NewGRPCClient(dial(t, srv)).Export(timeout(t), ptraceotlp.NewExportRequestFromTraces(failingTraces(4)))
	checkRetryInfo(t, err, 3*time.Second)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusals took %v; they must not wait for the queue", d)
	}

	close(st.gate)
	wg.Wait()
	for range 2 {
		if a := <-answers; a != "200 OK" {
			t.Errorf("admitted request answered %s", a)
		}
	}
	if got := len(artifacts(t, st)); got != 2 {
		t.Fatalf("%d artifacts after draining, want 2", got)
	}
	if resp, data := post(t, url, ctProto, "", exportBody(t, false, 3, false)); resp.StatusCode != http.StatusOK {
		t.Fatalf("retry after draining: %d %s", resp.StatusCode, data)
	}
	if got := len(artifacts(t, st)); got != 3 || srv.Pending() != 0 {
		t.Errorf("%d artifacts and %d pending, want 3 and 0", got, srv.Pending())
	}
}

// TestAbandonedRequest checks that a request whose client gives up while
// it waits in the queue is not stored and gives its slot back.
func TestAbandonedRequest(t *testing.T) {
	st := newGatedStore(openStore(t))
	cfg := testConfig()
	cfg.QueueSize = 2
	srv := startServer(t, cfg, st)
	client := ptraceotlp.NewGRPCClient(dial(t, srv))
	first := make(chan error, 1)
	go func() {
		_, err := client.Export(context.Background(), ptraceotlp.NewExportRequestFromTraces(failingTraces(1)))
		first <- err
	}()
	<-st.entered

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := client.Export(ctx, ptraceotlp.NewExportRequestFromTraces(failingTraces(2)))
	if status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("queued request past its deadline: %v", err)
	}
	// The server's copy of the deadline (grpc-timeout) started when the
	// request arrived, a little after the client's: let it pass too.
	time.Sleep(100 * time.Millisecond)
	close(st.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return srv.Pending() == 0 })
	if got := len(artifacts(t, st)); got != 1 {
		t.Errorf("%d artifacts, want only the request whose client waited", got)
	}
}

// postAsync posts a protobuf request from a goroutine other than the
// test's and returns the status line or the error.
func postAsync(url string, body []byte) string {
	resp, err := http.Post(url, ctProto, bytes.NewReader(body))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Status
}

// checkRetryInfo wants RESOURCE_EXHAUSTED with a RetryInfo of delay d.
func checkRetryInfo(t *testing.T, err error, d time.Duration) {
	t.Helper()
	s := status.Convert(err)
	if s.Code() != codes.ResourceExhausted {
		t.Fatalf("gRPC on full queue: %v, want ResourceExhausted", err)
	}
	for _, det := range s.Details() {
		if ri, ok := det.(*errdetails.RetryInfo); ok {
			if got := ri.GetRetryDelay().AsDuration(); got != d {
				t.Errorf("retry delay %v, want %v", got, d)
			}
			return
		}
	}
	t.Errorf("ResourceExhausted without RetryInfo: %v", s.Details())
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
