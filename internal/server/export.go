package server

import (
	"context"
	"fmt"

	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// export is the one path of every export request, whichever receiver it
// came through: take a queue slot or refuse at once, decode in the
// caller's goroutine (so decoding runs in parallel and the worker only
// stores), then wait for the worker to store the batch.
func (s *Server) export(ctx context.Context, decode func() (*batch, error)) (otlp.Rejected, error) {
	if !s.queue.admit() {
		return otlp.Rejected{}, errQueueFull
	}
	b, err := safeDecode(decode)
	if err != nil {
		s.queue.release()
		return otlp.Rejected{}, err
	}
	if len(b.frag.Nodes) == 0 && len(b.frag.Edges) == 0 {
		// Nothing to keep (an empty request, or every record rejected):
		// an empty artifact would only clutter the store.
		s.queue.release()
		b.rejected.Reason = s.scrub(b.rejected.Reason)
		return b.rejected, nil
	}
	b.rejected.Reason = s.scrub(b.rejected.Reason)
	return b.rejected, s.queue.submit(ctx, b)
}

// safeDecode turns a decoder panic into bad input, so no request can
// crash the server.
func safeDecode(decode func() (*batch, error)) (b *batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%w: decoding failed: %v", evidence.ErrBadInput, r)
		}
	}()
	return decode()
}

// storeBatch is the worker's storeFunc: one pipeline call, one
// transaction.
func (s *Server) storeBatch(ctx context.Context, b *batch) error {
	res, err := s.pipeline.Fragment(ctx, b.in, b.frag)
	if err != nil {
		return err
	}
	s.log.Debug("otlp request stored", "source", b.in.Name, "bytes", len(b.in.Data),
		"nodes", len(b.frag.Nodes), "incidents", len(res.Incidents))
	return nil
}
