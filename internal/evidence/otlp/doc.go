// Package otlp decodes OpenTelemetry Protocol traces and logs, in the
// OTLP/JSON and OTLP/protobuf encodings of the OTLP specification
// (opentelemetry-proto, ExportTraceServiceRequest and
// ExportLogsServiceRequest), into EPG fragments. Parsing is done by the
// collector's pdata; this package maps the model.
//
// Spans become span nodes joined by call (parent→child) and follows_from
// (links) edges. Span events named "exception" and log records carrying
// exception.* attributes become exception events with parsed stack frames
// (package exception). Log records become log events correlated to their
// span by trace and span ID.
package otlp
