package server

import (
	"context"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	_ "google.golang.org/grpc/encoding/gzip" // OTLP exporters may compress
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// newGRPCServer builds the OTLP/gRPC server with both services.
func (s *Server) newGRPCServer() *grpc.Server {
	g := grpc.NewServer(grpc.MaxRecvMsgSize(int(min(s.cfg.MaxBodyBytes, int64(maxInt)))))
	ptraceotlp.RegisterGRPCServer(g, &traceService{s: s})
	plogotlp.RegisterGRPCServer(g, &logsService{s: s})
	return g
}

const maxInt = int(^uint(0) >> 1)

// traceService is OTLP's TraceService.
type traceService struct {
	ptraceotlp.UnimplementedGRPCServer
	s *Server
}

// Export stores one ExportTraceServiceRequest.
func (t *traceService) Export(ctx context.Context, req ptraceotlp.ExportRequest) (ptraceotlp.ExportResponse, error) {
	rej, err := t.s.export(ctx, func() (*batch, error) {
		data, err := req.MarshalProto()
		if err != nil {
			return nil, err
		}
		in := grpcInput(tracesSignal, data)
		f, rej := otlp.FromTraces(req.Traces(), in.Name)
		return grpcBatch(in, f, rej), nil
	})
	if err != nil {
		return ptraceotlp.NewExportResponse(), t.s.grpcError(ctx, tracesSignal, err)
	}
	t.s.logPartial("grpc", tracesSignal, remoteOf(ctx), rej)
	return tracesResponse(rej), nil
}

// logsService is OTLP's LogsService.
type logsService struct {
	plogotlp.UnimplementedGRPCServer
	s *Server
}

// Export stores one ExportLogsServiceRequest.
func (l *logsService) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	rej, err := l.s.export(ctx, func() (*batch, error) {
		data, err := req.MarshalProto()
		if err != nil {
			return nil, err
		}
		in := grpcInput(logsSignal, data)
		f, rej := otlp.FromLogs(req.Logs(), in.Name)
		return grpcBatch(in, f, rej), nil
	})
	if err != nil {
		return plogotlp.NewExportResponse(), l.s.grpcError(ctx, logsSignal, err)
	}
	l.s.logPartial("grpc", logsSignal, remoteOf(ctx), rej)
	return logsResponse(rej), nil
}

// grpcInput is the stored artifact of a gRPC request: the request in
// binary protobuf, as OTLP/HTTP would have carried it, so the content
// hash and error offsets mean the same on both receivers.
func grpcInput(sig *signal, data []byte) *evidence.Input {
	return &evidence.Input{Name: "otlp-grpc " + sig.path, Data: data}
}

// grpcBatch labels an already-parsed request with the format of its
// stored bytes.
func grpcBatch(in *evidence.Input, f *epg.Fragment, rej otlp.Rejected) *batch {
	f.Format = otlp.ProtoDecoder{}.Format()
	return &batch{in: in, frag: f, rejected: rej}
}

// grpcError turns a refusal into a gRPC status; throttling carries
// google.rpc.RetryInfo, without which OTLP exporters do not retry
// RESOURCE_EXHAUSTED.
func (s *Server) grpcError(ctx context.Context, sig *signal, err error) error {
	ref := refuse(err)
	ref.msg = s.scrub(ref.msg)
	s.logRefusal(ctx, "grpc", sig, remoteOf(ctx), ref, err)
	st := status.New(ref.code, ref.msg)
	if ref.retry {
		if d, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(s.cfg.RetryAfter)}); derr == nil {
			st = d
		}
	}
	return st.Err()
}

// remoteOf names the client of a gRPC call for the log.
func remoteOf(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		return p.Addr.String()
	}
	return ""
}

var (
	_ ptraceotlp.GRPCServer = (*traceService)(nil)
	_ plogotlp.GRPCServer   = (*logsService)(nil)
)
