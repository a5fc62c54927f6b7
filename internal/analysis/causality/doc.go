// Package causality orders events across services whose clocks disagree,
// and reconnects traces that sampling broke apart.
//
// Each service's timestamps are moved onto the reference clock with the
// skew estimate the graph carries for it ([epg.Graph.SkewOf]): corrected
// = raw + Offset, give or take Error. A decoder measures a service's skew
// against the clock of the service that called it (Zipkin's RPC midpoint
// method: the client's corrected send and receive bracket the server's
// work), so estimates form a tree rooted at the reference clock, and the
// uncertainty between two services is the sum of the errors along the
// tree path between them: two spans of one service share a clock and
// their order is exact, however uncertain that clock's offset. The other
// limit is the timestamp resolution (Zipkin and Jaeger record
// microseconds), detected from the timestamps themselves.
//
// Two instants (a span's start or end, an event) are then ordered
// "before", "after" or "concurrent": before when the corrected gap
// exceeds the uncertainty, concurrent when the clocks cannot tell.
//
// A span whose parent was sampled out (its parent span ID names a span
// the trace does not hold) is linked by inference to the most plausible
// span that is there: in the same trace, enclosing it in time on the
// corrected clock (within the uncertainty between the two clocks). A
// client whose peer is the orphan's service is preferred, then a client
// calling a server of another service, then a span of the orphan's own
// service, then any span; among equals, one that encloses the orphan
// outright beats one that does only within the uncertainty, and the
// tighter window wins. When nothing encloses it, the trace's root that
// started before it is taken. Such edges are marked Inferred with
// inferred.from = "missing-parent"; [Augment] adds them to a graph.
//
// Everything here is a pure function of the graph; results refer to
// nodes by ID and come in a stable order.
package causality
