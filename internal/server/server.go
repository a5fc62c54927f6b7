package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/tagdebug/tag/internal/ingest"
	"github.com/tagdebug/tag/internal/redact"
)

// Server runs the OTLP receivers and the ingest worker behind them.
//
// Lifecycle: New, then Start once, then Shutdown once. A Server is not
// reusable after Shutdown.
type Server struct {
	// Guard checks every API response before it is written; nil means a
	// guard over the pipeline's redaction engine, without an audit log.
	Guard *redact.Guard

	cfg      Config
	pipeline *ingest.Pipeline
	log      *slog.Logger
	defGuard *redact.Guard

	mu       sync.Mutex
	queue    *queue // made by Start
	state    int    // stateNew, stateStarted, stateStopped
	httpSrv  *http.Server
	httpAddr net.Addr
	grpcSrv  *grpc.Server
	grpcAddr net.Addr
	apiSrv   *http.Server
	apiAddr  net.Addr
	serving  sync.WaitGroup
}

const (
	stateNew = iota
	stateStarted
	stateStopped
)

// Connection timeouts: how long a client may dribble request headers, and
// how long an idle keep-alive connection is kept.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
)

// New returns a server that stores what it receives through p. A nil
// logger discards. Unset limits in cfg take their defaults.
func New(cfg Config, p *ingest.Pipeline, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg.withDefaults(), pipeline: p, log: logger}
}

// Start binds the configured addresses and serves in the background until
// Shutdown. It returns an error, and serves nothing, if the configuration
// is invalid, the server was started before, or an address cannot be
// bound. ctx bounds only the binding.
func (s *Server) Start(ctx context.Context) error {
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateNew {
		return errors.New("server: Start called twice")
	}
	var lc net.ListenConfig
	var httpLn, grpcLn, apiLn net.Listener
	var err error
	if s.cfg.OTLPHTTPAddr != "" {
		if httpLn, err = lc.Listen(ctx, "tcp", s.cfg.OTLPHTTPAddr); err != nil {
			return fmt.Errorf("server: OTLP/HTTP: %w", err)
		}
	}
	if s.cfg.OTLPGRPCAddr != "" {
		if grpcLn, err = lc.Listen(ctx, "tcp", s.cfg.OTLPGRPCAddr); err != nil {
			if httpLn != nil {
				httpLn.Close()
			}
			return fmt.Errorf("server: OTLP/gRPC: %w", err)
		}
	}
	if s.cfg.APIAddr != "" {
		if apiLn, err = lc.Listen(ctx, "tcp", s.cfg.APIAddr); err != nil {
			for _, ln := range []net.Listener{httpLn, grpcLn} {
				if ln != nil {
					ln.Close()
				}
			}
			return fmt.Errorf("server: API: %w", err)
		}
	}
	s.state = stateStarted
	s.queue = newQueue(s.cfg.QueueSize, s.storeBatch)
	go s.queue.run()
	if httpLn != nil {
		s.serveHTTP(httpLn)
	}
	if grpcLn != nil {
		s.serveGRPC(grpcLn)
	}
	if apiLn != nil {
		s.serveAPI(apiLn)
	}
	return nil
}

func (s *Server) serveAPI(ln net.Listener) {
	s.apiAddr = ln.Addr()
	s.apiSrv = &http.Server{
		Handler:           s.apiHandler(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("API listening", "addr", ln.Addr().String())
	s.serving.Go(func() {
		if err := s.apiSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("API stopped", "error", err)
		}
	})
}

func (s *Server) serveHTTP(ln net.Listener) {
	s.httpAddr = ln.Addr()
	s.httpSrv = &http.Server{
		Handler:           s.httpHandler(),
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.log.Info("OTLP/HTTP receiver listening", "addr", ln.Addr().String())
	s.serving.Go(func() {
		if err := s.httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("OTLP/HTTP receiver stopped", "error", err)
		}
	})
}

func (s *Server) serveGRPC(ln net.Listener) {
	s.grpcAddr = ln.Addr()
	s.grpcSrv = s.newGRPCServer()
	s.log.Info("OTLP/gRPC receiver listening", "addr", ln.Addr().String())
	s.serving.Go(func() {
		if err := s.grpcSrv.Serve(ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
			s.log.Error("OTLP/gRPC receiver stopped", "error", err)
		}
	})
}

// HTTPAddr is the bound OTLP/HTTP address (useful with port 0), or ""
// when that receiver is disabled or not started.
func (s *Server) HTTPAddr() string { return addrString(s, &s.httpAddr) }

// APIAddr is the bound API address, or "" when the API is disabled or
// not started.
func (s *Server) APIAddr() string { return addrString(s, &s.apiAddr) }

// GRPCAddr is the bound OTLP/gRPC address, or "" when that receiver is
// disabled or not started.
func (s *Server) GRPCAddr() string { return addrString(s, &s.grpcAddr) }

func addrString(s *Server, a *net.Addr) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *a == nil {
		return ""
	}
	return (*a).String()
}

// Pending is the number of export requests admitted and not yet
// answered; it never exceeds Config.QueueSize.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queue == nil {
		return 0
	}
	return s.queue.pending()
}

// Shutdown stops accepting connections, lets every admitted request be
// stored and answered, and stops the worker. If ctx ends first, open
// connections are closed, requests still queued are dropped unstored
// (their clients see an error and OTLP exporters retry), and ctx's error
// is returned. Shutdown before Start, or a second time, does nothing.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	started := s.state == stateStarted
	s.state = stateStopped
	s.mu.Unlock()
	if !started {
		return nil
	}
	var errs []error
	if s.httpSrv != nil {
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("OTLP/HTTP: %w", err))
			s.httpSrv.Close()
		}
	}
	if s.apiSrv != nil {
		if err := s.apiSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("API: %w", err))
			s.apiSrv.Close()
		}
	}
	if s.grpcSrv != nil {
		if err := stopGRPC(ctx, s.grpcSrv); err != nil {
			errs = append(errs, fmt.Errorf("OTLP/gRPC: %w", err))
		}
	}
	close(s.queue.stop)
	select {
	case <-s.queue.done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("draining the ingest queue: %w", ctx.Err()))
	}
	s.serving.Wait()
	return errors.Join(errs...)
}

// stopGRPC stops g gracefully, or at once when ctx ends.
func stopGRPC(ctx context.Context, g *grpc.Server) error {
	done := make(chan struct{})
	go func() {
		g.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		g.Stop()
		<-done
		return ctx.Err()
	}
}
