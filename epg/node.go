package epg

import "strings"

// Location is a place in source code.
type Location struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Function string `json:"function,omitempty"`
	// Lang is the source language: "go", "java", "python", "javascript".
	Lang string `json:"lang,omitempty"`
	// InApp is true for the application's own code, false for runtime,
	// standard library and third-party frames.
	InApp bool `json:"in_app,omitempty"`
}

// IsZero reports whether the location carries nothing.
func (l *Location) IsZero() bool { return l == nil || *l == Location{} }

// TraceRef ties a node to a distributed trace. IDs are lower-case hex.
type TraceRef struct {
	TraceID string `json:"trace_id,omitempty"`
	SpanID  string `json:"span_id,omitempty"`
}

// Node is one vertex of the EPG.
type Node struct {
	// ID is stable across sources: two decoders describing the same span,
	// thread or lock produce the same ID, and the builder merges them.
	ID   string
	Kind NodeKind
	Name string
	// Attrs is sorted by key (see [SortAttrs]).
	Attrs Attrs
	// Start and End are Unix nanoseconds; zero when unknown. Points in time
	// (events) have End == Start.
	Start, End int64
	Loc        *Location
	Trace      TraceRef
	// Thread identifies the goroutine or OS/JVM thread, when known.
	Thread string
	// Service is the emitting service's name, when known.
	Service string
	// Policy is the version of the redaction policy applied to this node.
	Policy string
}

// Attr returns the value of an attribute.
func (n *Node) Attr(key string) (Value, bool) { return n.Attrs.Get(key) }

// EventType returns the "event.type" attribute of an event node.
func (n *Node) EventType() string { return n.Attrs.Str(AttrEventType) }

// Duration returns End-Start in nanoseconds, or 0 when either is unknown.
func (n *Node) Duration() int64 {
	if n.Start == 0 || n.End == 0 || n.End < n.Start {
		return 0
	}
	return n.End - n.Start
}

// Edge is a directed, typed relation between two nodes named by ID.
type Edge struct {
	From, To string
	Kind     EdgeKind
	Attrs    Attrs
	// Inferred marks an edge TAG deduced (a time join, a missing parent)
	// rather than one the source recorded.
	Inferred bool
}

// Well-known attribute keys shared by decoders and analyses.
const (
	AttrEventType       = "event.type"
	AttrExceptionType   = "exception.type"
	AttrExceptionMsg    = "exception.message"
	AttrExceptionStack  = "exception.stacktrace"
	AttrStatusCode      = "status.code"    // "ok", "error" or "unset"
	AttrStatusMessage   = "status.message" // the status description
	AttrSpanKind        = "span.kind"      // server, client, producer, consumer, internal
	AttrParentSpanID    = "parent_span_id"
	AttrSeverity        = "log.severity"
	AttrSeverityNumber  = "log.severity_number"
	AttrFrameIndex      = "frame.index" // 0 is the innermost frame
	AttrScopeName       = "otel.scope.name"
	AttrHTTPRoute       = "http.route"
	AttrHTTPStatus      = "http.response.status_code"
	AttrRPCGRPCStatus   = "rpc.grpc.status_code"
	AttrThreadState     = "thread.state"
	AttrThreadWaitFor   = "thread.wait_reason"
	AttrThreadWaitNs    = "thread.wait_ns"    // how long the thread had been waiting
	AttrThreadID        = "thread.id"         // goroutine number, JVM tid, OS tid (as printed)
	AttrThreadCreatedBy = "thread.created_by" // the function whose go statement started it
	AttrFrameCreatedBy  = "frame.created_by"  // true on frames of a creation stack
	AttrLockKind        = "lock.kind"         // mutex, rwmutex, monitor, ownable, ...
	AttrLockAddr        = "lock.address"      // the lock's address as printed, 0x-prefixed
	AttrLockClass       = "lock.class"        // a JVM monitor's class
	AttrLockMode        = "lock.mode"         // on waits edges: "read" or "write"
	AttrAccessOp        = "access.op"         // "read" or "write" (race reports)
	AttrAccessAddr      = "access.address"
	AttrCount           = "count" // how many identical things a node stands for
	// AttrHowInferred says, on an Inferred edge, what it was deduced
	// from ("args", "source", "time", ...).
	AttrHowInferred     = "inferred.from"
	AttrInferredJoinKey = "join"
)

// Node ID constructors. IDs are prefixed by kind so they never collide.

// SpanNodeID is the ID of the span node for a trace and span ID.
func SpanNodeID(traceID, spanID string) string {
	return "span:" + traceID + ":" + spanID
}

// ThreadNodeID is the ID of a thread node; scope names the process (for
// example "host/pid") so that goroutine 1 of two processes stay apart.
func ThreadNodeID(scope, thread string) string { return "thread:" + scope + ":" + thread }

// LockNodeID is the ID of a lock node.
func LockNodeID(scope, lock string) string { return "lock:" + scope + ":" + lock }

// ResourceNodeID is the ID of an external endpoint, e.g. "db:postgres@host".
func ResourceNodeID(name string) string { return "resource:" + strings.ToLower(name) }
