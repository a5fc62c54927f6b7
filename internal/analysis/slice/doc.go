// Package slice computes dynamic backward and forward slices over an EPG:
// the nodes and edges that lead to a failure signal (backward, towards its
// causes) or that a node went on to affect (forward).
//
// A slice is a breadth-first walk over the graph's CSR adjacency that
// follows a configurable set of edge kinds, each in its own direction (a
// backward slice walks a call edge from callee to caller but a caused_by
// edge from an exception to its cause), with stop conditions, node
// filters, and depth and size bounds whose effect is counted rather than
// silent. A [Walker] keeps its scratch state between walks, so repeated
// slices over one graph allocate little beyond their results.
//
// Everything here is a pure function of an [epg.Graph]; the package does
// no I/O.
package slice
