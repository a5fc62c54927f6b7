package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/server"
)

// serveInfo is `tag serve --json`'s first line: where it listens.
type serveInfo struct {
	OTLPHTTP string `json:"otlp_http,omitempty"`
	OTLPGRPC string `json:"otlp_grpc,omitempty"`
	API      string `json:"api,omitempty"`
	Store    string `json:"store"`
}

func (a *app) serveCommand() *cobra.Command {
	cfg := server.DefaultConfig()
	cfg.APIAddr = ":7070"
	cmd := &cobra.Command{
		Use:   "serve [--otlp-grpc ADDR] [--otlp-http ADDR] [--http ADDR]",
		Short: "Receive OTLP traces and logs (gRPC :4317, HTTP :4318) and serve the API (:7070)",
		Long: `Run the OTLP receivers: OTLP/gRPC on --otlp-grpc (default :4317) and OTLP/HTTP
on --otlp-http (default :4318), protobuf and JSON, gzip. Every request is one
store transaction; when the ingest queue is full, clients are told to retry
(HTTP 429 with Retry-After, gRPC RESOURCE_EXHAUSTED with RetryInfo). An empty
address disables that receiver. Stops cleanly on SIGINT/SIGTERM.

Everything received passes the redaction policy (--policy) before it is
stored. The read API on --http (default :7070) serves GET /api/v1/incidents,
/api/v1/incidents/{id} and /api/v1/artifacts as JSON; every response passes
the egress guard, and one that still carries a secret is withheld and recorded
in egress-audit.jsonl under the store.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("otlp-http") && a.cfg.Serve.OTLPHTTP != "" {
				cfg.OTLPHTTPAddr = a.cfg.Serve.OTLPHTTP
			}
			if !cmd.Flags().Changed("otlp-grpc") && a.cfg.Serve.OTLPGRPC != "" {
				cfg.OTLPGRPCAddr = a.cfg.Serve.OTLPGRPC
			}
			if !cmd.Flags().Changed("http") && a.cfg.Serve.HTTP != "" {
				cfg.APIAddr = a.cfg.Serve.HTTP
			}
			if !cmd.Flags().Changed("queue") && a.cfg.Serve.Queue > 0 {
				cfg.QueueSize = a.cfg.Serve.Queue
			}
			if err := cfg.Validate(); err != nil {
				return usageError{err}
			}
			p, err := a.pipeline(cmd.Context())
			if err != nil {
				return err
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			srv := server.New(cfg, p, logger)
			if srv.Guard, err = a.egressGuard(); err != nil {
				return err
			}
			if err := srv.Start(cmd.Context()); err != nil {
				return err
			}
			info := serveInfo{OTLPHTTP: srv.HTTPAddr(), OTLPGRPC: srv.GRPCAddr(), API: srv.APIAddr(), Store: a.storeDir()}
			if a.jsonOut {
				if err := a.printJSON(info); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stdout, "tag serve: OTLP/HTTP on %s, OTLP/gRPC on %s, API on %s, store %s\n", orDash(info.OTLPHTTP), orDash(info.OTLPGRPC), orDash(info.API), info.Store)
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			return srv.Shutdown(ctx)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.OTLPHTTPAddr, "otlp-http", cfg.OTLPHTTPAddr, "OTLP/HTTP listen address (empty disables)")
	f.StringVar(&cfg.OTLPGRPCAddr, "otlp-grpc", cfg.OTLPGRPCAddr, "OTLP/gRPC listen address (empty disables)")
	f.StringVar(&cfg.APIAddr, "http", cfg.APIAddr, "API listen address (empty disables)")
	f.IntVar(&cfg.QueueSize, "queue", cfg.QueueSize, "ingest queue size; requests beyond it are told to retry")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body", cfg.MaxBodyBytes, "largest request body accepted, after decompression")
	return cmd
}
