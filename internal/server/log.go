package server

import (
	"context"
	"log/slog"

	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// logRefusal writes the one Warn line of a refused request; internal
// failures carry their detail here since the client only hears a
// generic message.
func (s *Server) logRefusal(ctx context.Context, proto string, sig *signal, remote string, ref refusal, err error) {
	attrs := []any{"receiver", "otlp-" + proto, "signal", sig.name, "remote", remote,
		"http_status", ref.status, "code", ref.code.String(), "error", s.scrub(err.Error())}
	level := slog.LevelWarn
	if ref.internal {
		level = slog.LevelError
	}
	s.log.Log(ctx, level, "otlp request refused", attrs...)
}

// logPartial records a request stored without some of its records.
func (s *Server) logPartial(proto string, sig *signal, remote string, rej otlp.Rejected) {
	if rej.Count == 0 {
		return
	}
	s.log.Warn("otlp request partially rejected", "receiver", "otlp-"+proto, "signal", sig.name,
		"remote", remote, "rejected", rej.Count, "reason", s.scrub(rej.Reason))
}
