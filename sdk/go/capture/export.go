package capture

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tagdebug/tag/sdk/go/capsule"
)

// Exporter receives kept capsules. Export must not block the request
// path: queue and return.
type Exporter interface {
	Export(c *capsule.Capsule) error
	// Shutdown sends what is queued, waiting at most until ctx is done.
	Shutdown(ctx context.Context) error
}

// ErrQueueFull is returned by Export when the exporter is behind.
var ErrQueueFull = errors.New("capsule queue full")

// HTTPExporter posts capsules (JSON, gzipped) to `tag serve`'s upload
// endpoint from one background goroutine, with a bounded queue.
type HTTPExporter struct {
	url    string
	client *http.Client
	queue  chan *capsule.Capsule
	done   chan struct{}
	once   sync.Once
	// OnError, when set, hears about capsules that could not be sent.
	OnError func(error)
}

// NewHTTPExporter exports to endpoint (`tag serve`'s OTLP/HTTP address;
// the upload path is appended). client nil: a client with a 10 s timeout.
func NewHTTPExporter(endpoint string, client *http.Client) *HTTPExporter {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	e := &HTTPExporter{url: strings.TrimRight(endpoint, "/") + capsule.UploadPath, client: client,
		queue: make(chan *capsule.Capsule, 64), done: make(chan struct{})}
	go e.run()
	return e
}

// Export queues c.
func (e *HTTPExporter) Export(c *capsule.Capsule) error {
	select {
	case e.queue <- c:
		return nil
	default:
		return ErrQueueFull
	}
}

// Shutdown drains the queue.
func (e *HTTPExporter) Shutdown(ctx context.Context) error {
	e.once.Do(func() { close(e.queue) })
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *HTTPExporter) run() {
	defer close(e.done)
	for c := range e.queue {
		if err := e.Send(context.Background(), c); err != nil && e.OnError != nil {
			e.OnError(err)
		}
	}
}

// Send posts one capsule now, retrying a refused one (429, 503) a few
// times after the server's Retry-After.
func (e *HTTPExporter) Send(ctx context.Context, c *capsule.Capsule) error {
	data, err := capsule.Encode(c)
	if err != nil {
		return err
	}
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(data)
	zw.Close()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body.Bytes()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", capsule.ContentType)
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := e.client.Do(req)
		if err != nil {
			return fmt.Errorf("capsule %s: %w", c.ID, err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			return nil
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && attempt < 3:
			wait := time.Second
			if s, err := time.ParseDuration(resp.Header.Get("Retry-After") + "s"); err == nil && s > 0 && s < 30*time.Second {
				wait = s
			}
			time.Sleep(wait)
		default:
			return fmt.Errorf("capsule %s: %s: %s", c.ID, resp.Status, strings.TrimSpace(string(msg)))
		}
	}
}

// FuncExporter adapts a function (tests, in-process pipelines) to an
// Exporter; it is called on the request's goroutine.
type FuncExporter func(c *capsule.Capsule) error

// Export calls f.
func (f FuncExporter) Export(c *capsule.Capsule) error { return f(c) }

// Shutdown does nothing.
func (f FuncExporter) Shutdown(context.Context) error { return nil }
