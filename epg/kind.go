package epg

import (
	"encoding/json"
	"fmt"
)

// NodeKind says what a node stands for.
type NodeKind uint8

// Node kinds (DESIGN.md §2). Their numbers match the protobuf enum.
const (
	KindUnspecified NodeKind = iota
	KindSpan                 // an OpenTelemetry/Jaeger/Zipkin span
	KindFrame                // a stack frame
	KindEvent                // exception, panic, log, timeout, ...
	KindThread               // a goroutine or OS/JVM thread
	KindLock                 // a mutex or monitor identity
	KindObject               // a heap object
	KindResource             // an external endpoint (db, queue, host, file)
	KindInput                // a captured request or replay capsule
)

var nodeKindNames = [...]string{"unspecified", "span", "frame", "event", "thread", "lock", "object", "resource", "input"}

// String returns the kind's lower-case name as used in JSON and queries.
func (k NodeKind) String() string {
	if int(k) < len(nodeKindNames) {
		return nodeKindNames[k]
	}
	return fmt.Sprintf("node_kind(%d)", k)
}

// ParseNodeKind is the inverse of [NodeKind.String].
func ParseNodeKind(s string) (NodeKind, error) {
	for i, n := range nodeKindNames {
		if n == s && i > 0 {
			return NodeKind(i), nil
		}
	}
	return 0, fmt.Errorf("epg: unknown node kind %q", s)
}

// MarshalJSON writes the kind's name.
func (k NodeKind) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// EdgeKind says how two nodes relate.
type EdgeKind uint8

// Edge kinds (DESIGN.md §2). Their numbers match the protobuf enum.
const (
	EdgeUnspecified   EdgeKind = iota
	EdgeCall                   // caller→callee; parent span→child span
	EdgeFollowsFrom            // a causal but not nested link between spans
	EdgeEmits                  // span/frame→event
	EdgeOn                     // frame→thread
	EdgeHolds                  // thread→lock
	EdgeWaits                  // thread→lock
	EdgeAlloc                  // frame→object
	EdgeRef                    // object→object
	EdgeHappensBefore          // ordering between events or spans
	EdgeIO                     // span→resource
	EdgeCausedBy               // exception→its cause
	EdgeCorrelates             // log→span
)

var edgeKindNames = [...]string{"unspecified", "call", "follows_from", "emits", "on", "holds", "waits", "alloc", "ref", "happens_before", "io", "caused_by", "correlates"}

// String returns the kind's lower-case name as used in JSON and queries.
func (k EdgeKind) String() string {
	if int(k) < len(edgeKindNames) {
		return edgeKindNames[k]
	}
	return fmt.Sprintf("edge_kind(%d)", k)
}

// ParseEdgeKind is the inverse of [EdgeKind.String].
func ParseEdgeKind(s string) (EdgeKind, error) {
	for i, n := range edgeKindNames {
		if n == s && i > 0 {
			return EdgeKind(i), nil
		}
	}
	return 0, fmt.Errorf("epg: unknown edge kind %q", s)
}

// MarshalJSON writes the kind's name.
func (k EdgeKind) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// Event types carried in the "event.type" attribute of KindEvent nodes.
const (
	EventException = "exception"
	EventPanic     = "panic"
	EventLog       = "log"
	EventTimeout   = "timeout"
	EventGC        = "gc"
	EventSyscall   = "syscall"
	EventNet       = "net"
	EventDB        = "db"
	EventLock      = "lock"
	EventRace      = "race"
	EventLeak      = "leak"
	// EventDeadlock is a runtime's own deadlock verdict: Go's "all
	// goroutines are asleep", the JVM's "Found one Java-level deadlock".
	EventDeadlock = "deadlock"
	// EventBlocked is a dump taken because work stopped making progress
	// (a go test timeout, a watchdog's SIGQUIT).
	EventBlocked = "blocked"
	// EventAccess is one memory access of a race report.
	EventAccess = "access"
	// EventSlow is a dump taken while requests ran late but had not
	// stopped (the capture SDK's slow-request snapshot): not a verdict,
	// a note whose threads show where the late requests were waiting.
	EventSlow = "slow"
)
