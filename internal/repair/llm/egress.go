package llm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/tagdebug/tag/internal/redact"
)

// TextRedactor scrubs free text; *redact.Engine is one. Everything TAG
// puts in a prompt or hands back as a tool result passes through it.
type TextRedactor interface {
	RedactText(s string) string
}

// egressKey marks a model call's context with its egressCall.
type egressKey struct{}

// egressCall carries a guard refusal out of the SDK's middleware. The
// middleware cancels the call's context with the refusal, which stops the
// SDK at once (it never retries a cancelled call), and the backend then
// reports the refusal rather than the cancellation.
type egressCall struct {
	mu     sync.Mutex
	err    error
	cancel context.CancelCauseFunc
}

// beginCall returns a context for one model call and a function that
// ends the call and returns the guard's refusal, if there was one.
func beginCall(ctx context.Context) (context.Context, func() error) {
	ctx, cancel := context.WithCancelCause(ctx)
	c := &egressCall{cancel: cancel}
	return context.WithValue(ctx, egressKey{}, c), func() error {
		cancel(nil)
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.err
	}
}

// ErrNotSent is wrapped by errors for a model request that was refused
// before any byte of it left the process.
var ErrNotSent = errors.New("llm: request not sent")

// guardMiddleware checks each outgoing request body with g before it is
// sent; a body that still matches a secret detector is refused. It has the
// shape both SDKs' option.Middleware aliases name.
func guardMiddleware(g *redact.Guard, sink string) func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		body, err := requestBody(req)
		if err != nil {
			return nil, err
		}
		if err := g.Check(body, sink); err != nil {
			err = fmt.Errorf("%w: %w", ErrNotSent, err)
			if c, ok := req.Context().Value(egressKey{}).(*egressCall); ok {
				c.mu.Lock()
				c.err = err
				c.mu.Unlock()
				c.cancel(err)
			}
			return nil, err
		}
		return next(req)
	}
}

// requestBody reads req's body and leaves it readable again.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("llm: reading the request body for the egress guard: %w", err)
	}
	req.Body = io.NopCloser(bytes.NewReader(b))
	return b, nil
}
