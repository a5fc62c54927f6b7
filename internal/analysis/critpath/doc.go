// Package critpath computes the critical path of a distributed trace:
// the chain of spans that determines its end-to-end latency.
//
// Walking back from the end of the root span, the path descends into the
// child that finished last before the current point (the child the
// parent was waiting for), recursively, and then continues from that
// child's start; time covered by no such blocking child is the parent's
// own (self) time on the path. Children that overlap the chosen one ran
// in parallel with it and finished earlier, so they did not delay the
// parent. The segments of the path tile the root's duration exactly.
//
// Only call edges nest spans; follows_from links (fire-and-forget work,
// messages consumed later) never block their source. A child that
// outlives its parent, or starts before it, is clipped to the parent's
// window: the parent cannot have waited for what happened after it
// ended. Timestamps are first moved onto the reference clock with the
// per-service skew estimates the graph carries ([epg.Graph.SkewOf]), so
// that a server span whose host clock runs behind is not mistaken for
// work done before the request was sent.
//
// Everything here is a pure function of the graph. The span tree is laid
// out breadth-first in flat arrays (children of a span are a contiguous
// range), so a trace of 100,000 spans takes a few allocations, not one
// per span. Results name spans by node ID, come in a stable order, and
// are bounded: the longest segments and the heaviest spans and
// operations are kept, with counts of what was left out.
package critpath
