package quote

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestReproStalledPricing: a pricing service that accepts connections
// and never answers must not hold Quote past its caller's deadline.
// Before the fix Quote waits forever and `go test -timeout` dumps the
// stuck goroutine.
func TestReproStalledPricing(t *testing.T) {
	// The kernel completes the handshake for a listener that never
	// accepts, so the request is sent and no answer ever comes.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := &Client{Base: "http://" + ln.Addr().String(), HTTP: &http.Client{}}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.Quote(ctx, "sku-1"); err == nil {
		t.Fatal("Quote against a stalled service succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Quote returned after %v, long past its caller's 200ms deadline", d)
	}
}
