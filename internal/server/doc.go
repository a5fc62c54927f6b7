// Package server holds the network entry points of `tag serve`. Today
// these are the OTLP receivers: OTLP/HTTP (POST /v1/traces and /v1/logs,
// binary protobuf or JSON, optionally gzip-compressed) and OTLP/gRPC
// (TraceService and LogsService Export), both as the OpenTelemetry
// Protocol specification defines them (opentelemetry-proto,
// docs/specification.md, sections "OTLP/HTTP" and "OTLP/gRPC"), including
// partial success, google.rpc.Status error bodies and throttling with
// Retry-After / google.rpc.RetryInfo.
//
// Both receivers feed one bounded ingest queue served by one worker,
// because the embedded store has one writer. A request is admitted before
// its body is read; when the queue is full it is refused at once as
// throttled, never left waiting. Each admitted request becomes one
// ingest.Pipeline.Fragment call, so one store transaction, and its
// response is sent only after that transaction committed or failed.
package server
