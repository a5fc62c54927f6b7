// Package invariant mines likely invariants from the healthy traces of an
// endpoint and reports the ones a failing occurrence breaks, in the
// spirit of Daikon's dynamic invariant detection applied to spans.
//
// Mined per span type (service and normalised operation): attributes that
// are always present, numeric ranges (widened by a tolerance), enum sets of
// low-cardinality strings and booleans, the set of statuses seen (never
// "error" in a healthy cohort), duration bounds, and the one type every
// span of the type is called by. Mined per trace: how many spans of each
// type a trace has, that every span is of a type seen before, and
// ordering relations between types (every span of A starts after every
// span of B has ended), transitively reduced.
//
// An invariant needs a minimum support (observations that held it) to be
// kept; violations are ranked by that support, the confidence that the
// invariant is real, and each cites the failing nodes that break it.
// Output is bounded and deterministic.
//
// Everything here is a pure function of the traces; the package does no
// I/O.
package invariant
