// Package incident finds failure signals in an EPG and fingerprints them
// so that signals with the same cause group into one incident, the way
// Sentry groups issues (DESIGN.md §3).
//
// Signals found here: exceptions and panics (an event with no cause edge
// pointing at it), spans with error status where the error originates (no
// erroring descendant and no exception of their own), and timeouts (a
// deadline-exceeded status or a span longer than the configured deadline
// or its endpoint's SLO). One failure that propagates up a trace yields one
// signal, at its origin.
//
// The fingerprint is a hash of the kind, the normalised error type, the
// top in-app frames (functions, not line numbers), the service and the
// endpoint. Messages are normalised (numbers, hex, UUIDs, quoted values
// removed) so that "user 42 not found" and "user 7 not found" group.
package incident
