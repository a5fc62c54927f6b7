// Package logs decodes structured log files, one record per line, in two
// formats:
//
//   - "json-log": JSON Lines (https://jsonlines.org) as written by Go's
//     log/slog JSONHandler, zap, logrus, bunyan, pino, Python logging with
//     a JSON formatter, and Elastic Common Schema (ECS) loggers;
//   - "logfmt": key=value pairs (https://brandur.org/logfmt) as written by
//     log/slog's TextHandler, go-kit/log and logrus's TextFormatter.
//
// Neither has a specification beyond its writers, so the mapping follows
// what those libraries emit. The shape is read per record from its keys,
// not per file, because collected files mix sources.
//
// Every record becomes an event node shaped exactly like an OTLP log
// record from package otlp, so analyses cannot tell the two apart:
// event.type "log", log.severity (the level as written), log.severity_number
// (OpenTelemetry's 1..24, per library; see severity), log.body (the
// message), the node name being the message clipped to 200 bytes. Start
// and End are the record's time (RFC 3339 variants or epoch s/ms/µs/ns,
// told apart by magnitude), else Input.Time. Loc is the logging call
// (zap's caller, slog's source, logrus's func/file, bunyan's src, ECS's
// log.origin). Service is service.name/service, else Input.Service, else
// the logger name (zap's logger, bunyan's and pino's name). Trace and span
// IDs come from the correlation keys of OpenTelemetry, ECS, W3C-style
// camelCase, Python's otelTraceID, Google Cloud and Datadog (dd.trace_id
// and dd.span_id are decimal 64-bit: they become 16 hex digits, trace IDs
// left-padded to 32). Other fields are attributes, nested objects
// flattened with dots, values typed (JSON types; logfmt's bare values by
// their look when unambiguous), strings clipped as evidence.AppendClipped
// does, at most MaxAttrs per record.
//
// A record that carries a stack (zap's stacktrace, pkg/errors' errorVerbose,
// ECS error.stack_trace, bunyan's and pino's err.stack, slog "stack"
// attributes, Python's exc_info) at warn level or above becomes an
// exception through package exception, with frames and causes parsed from
// the stack, keeping the log attributes — as the otlp package does for
// log records with exception.* attributes.
//
// Node IDs are "log:<crc64 of the artifact name and the line>:<line>",
// stable for the same evidence and unique within it.
//
// Bad input fails the whole artifact with an *evidence.Error naming the
// file, line and column: a line that is not one JSON object (json-log), a
// logfmt line with an unterminated quote, a bad escape or no key=value
// pair at all, or any line longer than MaxLine. Parsing is linear in the
// input, JSON nesting is bounded by evidence.MaxJSONDepth, and the fixtures
// in testdata come from the real loggers (testdata/gen.sh).
package logs
