// Package cohort turns the spans of an EPG into the traces that the
// differential analyses compare: each trace as a call tree whose spans
// carry a type (service and normalised operation), a call path from the
// root, and self time; the endpoint key (service, route, version) that says
// which traces are comparable; and the split of an endpoint's traces into
// failing occurrences and their healthy cohort (DESIGN.md §3).
//
// Everything here is a pure function of [epg.Graph]s; the package does no
// I/O. Package diff and package invariant both read traces through it.
package cohort
