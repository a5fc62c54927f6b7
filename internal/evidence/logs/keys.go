package logs

// role says what a well-known key means. Loggers spell the same thing
// differently; the table below maps each spelling to its role, with a
// rank that decides when a record has several (lower wins).
type role uint8

const (
	rNone role = iota
	rMsg
	rLevel
	rTime
	rCaller  // "file:line" in one string
	rFile    // a file, possibly with ":line"
	rLine    // a line number
	rFunc    // a function
	rService // an explicit service name
	rLogger  // a logger or app name: the service when nothing better says
	rTrace   // a hex trace ID
	rSpan    // a hex span ID
	rDDTrace // Datadog's decimal trace ID
	rDDSpan  // Datadog's decimal span ID
	rStack   // stack-trace text
	rErrType // the error's class
	rErrMsg  // the error's message
	rVersion // bunyan's format version, which says nothing about the event
	nRoles
)

type keyRole struct {
	role role
	rank uint8
}

// keyRoles maps field names (after flattening nested objects with dots)
// to roles. Sources: log/slog (time, level, msg, source.*), zap (ts,
// caller, stacktrace, logger, error, errorVerbose), logrus (time, level,
// msg, func, file, error), bunyan (v, name, src.*, err.*), pino (err.type),
// Elastic Common Schema (@timestamp, log.level, message, log.origin.*,
// error.*, trace.id, span.id, service.name), Python logging attribute
// names (levelname, funcName, lineno, pathname, exc_info), OpenTelemetry's
// log correlation (trace_id, otelTraceID, ...), Datadog's (dd.*) and
// Google Cloud Logging's special keys.
var keyRoles = map[string]keyRole{
	"msg": {rMsg, 0}, "message": {rMsg, 1}, "@message": {rMsg, 2},

	"level": {rLevel, 0}, "log.level": {rLevel, 1}, "levelname": {rLevel, 2},
	"severity": {rLevel, 3}, "lvl": {rLevel, 4},

	"time": {rTime, 0}, "ts": {rTime, 1}, "@timestamp": {rTime, 2}, "timestamp": {rTime, 3},
	"asctime": {rTime, 4},

	"caller": {rCaller, 0}, "source": {rCaller, 1},
	"source.file": {rFile, 0}, "src.file": {rFile, 1}, "log.origin.file.name": {rFile, 2},
	"file": {rFile, 3}, "pathname": {rFile, 4},
	"source.line": {rLine, 0}, "src.line": {rLine, 1}, "log.origin.file.line": {rLine, 2},
	"lineno":          {rLine, 3},
	"source.function": {rFunc, 0}, "src.func": {rFunc, 1}, "log.origin.function": {rFunc, 2},
	"func": {rFunc, 3}, "function": {rFunc, 4}, "funcName": {rFunc, 5},

	"service.name": {rService, 0}, "service": {rService, 1}, "otelServiceName": {rService, 2},
	"dd.service": {rService, 3},
	"name":       {rLogger, 0}, "logger": {rLogger, 1}, "log.logger": {rLogger, 2}, "logger_name": {rLogger, 3},

	"trace_id": {rTrace, 0}, "traceId": {rTrace, 1}, "traceID": {rTrace, 2}, "trace.id": {rTrace, 3},
	"otelTraceID": {rTrace, 4}, "logging.googleapis.com/trace": {rTrace, 5},
	"span_id": {rSpan, 0}, "spanId": {rSpan, 1}, "spanID": {rSpan, 2}, "span.id": {rSpan, 3},
	"otelSpanID": {rSpan, 4}, "logging.googleapis.com/spanId": {rSpan, 5},
	"dd.trace_id": {rDDTrace, 0}, "dd.span_id": {rDDSpan, 0},

	// A stack from where the error was made (errorVerbose: pkg/errors'
	// %+v) says more than the stack of the log call, so it ranks first.
	"error.stack_trace": {rStack, 0}, "err.stack": {rStack, 1}, "error.stack": {rStack, 2},
	"errorVerbose": {rStack, 3}, "exc_info": {rStack, 4}, "stacktrace": {rStack, 5},
	"stack_trace": {rStack, 6}, "stack": {rStack, 7}, "exception": {rStack, 8},
	// OpenTelemetry's exception attributes, as logging bridges and
	// hand-written JSON loggers name them.
	"exception.stacktrace": {rStack, 9}, "exception.type": {rErrType, 5}, "exception.message": {rErrMsg, 5},
	"error.type": {rErrType, 0}, "err.name": {rErrType, 1}, "err.type": {rErrType, 2},
	"error.kind": {rErrType, 3}, "exc_type": {rErrType, 4},
	"error.message": {rErrMsg, 0}, "err.message": {rErrMsg, 1}, "error": {rErrMsg, 2},
	"err": {rErrMsg, 3}, "exc_message": {rErrMsg, 4},

	"v": {rVersion, 0},
}

// internedKeys holds the well-known keys and a few more that most lines
// repeat, so parsers can reuse one string instead of allocating per line.
var internedKeys = func() map[string]string {
	m := make(map[string]string, len(keyRoles)+16)
	for k := range keyRoles {
		m[k] = k
	}
	for _, k := range []string{"pid", "hostname", "host", "env", "version", "method", "path", "status",
		"duration", "user", "request_id", "req_id", "id", "url", "code", "component", "thread", "threadName",
		"process", "src", "err", "error", "dd", "log", "origin", "trace", "span"} {
		m[k] = k
	}
	return m
}()
