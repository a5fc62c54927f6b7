// Command slog writes the log/slog fixtures: JSONHandler output with
// "json" as its argument, TextHandler (logfmt) output with "text". Both
// add the source location, carry trace_id/span_id attributes as an
// OpenTelemetry-instrumented service would, and log a failure with an
// error and the goroutine's stack.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
)

const (
	traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	spanID  = "00f067aa0ba902b7"
)

var errNotFound = errors.New("order not found")

type store struct{ log *slog.Logger }

// get fails and logs with the stack of the failing call.
func (s *store) get(ctx context.Context, id int) error {
	err := fmt.Errorf("store.get %d: %w", id, errNotFound)
	s.log.ErrorContext(ctx, "lookup failed", "trace_id", traceID, "span_id", spanID,
		"err", err, "stack", string(debug.Stack()))
	return err
}

func handle(log *slog.Logger) {
	req := log.With(slog.Group("req", "method", "GET", "path", "/orders/7"))
	req.Warn("slow query", "trace_id", traceID, "span_id", spanID, "duration_ms", 812.5, "rows", 3)
	s := &store{log: req}
	_ = s.get(context.Background(), 7)
}

func main() {
	opts := &slog.HandlerOptions{AddSource: true, Level: slog.LevelDebug}
	var h slog.Handler = slog.NewJSONHandler(os.Stdout, opts)
	if len(os.Args) > 1 && os.Args[1] == "text" {
		h = slog.NewTextHandler(os.Stdout, opts)
	}
	log := slog.New(h).With("service", "orders")
	log.Info("server started", "addr", ":8080", "tls", false)
	log.Debug("cache miss", "key", `order "7"`, "note", "two\nlines")
	handle(log)
	log.Log(context.Background(), slog.LevelError+2, "data loss suspected", "table", "orders")
}
