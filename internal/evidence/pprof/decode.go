// Package pprof decodes pprof profiles: the profile.proto format
// (https://github.com/google/pprof/blob/main/proto/profile.proto), raw or
// gzipped, and the legacy text and binary formats google/pprof still
// reads (heap, contention/mutex, goroutine/threadcreate counts, thread,
// Java heapz/contentionz, binary CPU). Parsing is google/pprof's own
// (profile.ParseData), so TAG sees exactly what `go tool pprof` sees.
//
// Profiles hold thousands of samples; the EPG keeps a compact summary:
//
//   - one profile event (KindEvent, event.type "profile") with the kind,
//     sample types, period, duration, time, totals and drop/keep frames;
//     its time (TimeNanos, else Input.Time) and duration become the times
//     of every node;
//   - heap, CPU, contention, threadcreate and other sampled profiles: a
//     frame node per function among the top N (Decoder.TopN, default 50)
//     by flat and by cumulative value of each sample type, attributes
//     "profile.<type>.flat" and "profile.<type>.cum" (in the type's unit),
//     Loc at the function's hottest line, and caller→callee call edges
//     between kept functions that are adjacent in some sample stack;
//   - heap: an object node (KindObject) per top allocation site (the
//     innermost in-app frame of a sample's stack, by function and line)
//     with its "profile.<type>" totals and mean "object.size", and an
//     alloc edge from the site's frame node;
//   - contention (Go mutex and block profiles, C++ and Java contentionz):
//     a lock node per top contention site, ID
//     epg.LockNodeID(scope, "site:<function>:<line>") of the in-app caller
//     of the Lock/Unlock frame, lock.kind "contention site", the
//     "profile.<type>" totals and "lock.delay_ns"; the site's frame node
//     holds it (mutex profiles record the Unlock that made others wait) or
//     waits on it (block profiles record the Lock that waited);
//   - goroutine profiles: each distinct stack is a thread node (package
//     threads) with "count" goroutines, its frames, pprof labels as
//     "pprof.label.<key>", a wait reason read off the stack, and the
//     trace and span from OpenTelemetry labels (trace_id/span_id,
//     otel.trace_id/otel.span_id) so the goroutines join their traces;
//   - go1.26 goroutine leak profiles (GOEXPERIMENT=goroutineleakprofile):
//     the same thread nodes marked "goroutine.leaked", and a leak verdict
//     event (epg.EventLeak) emitted by all of them.
//
// Node IDs carry a digest of the artifact, except lock nodes, which use
// the process scope so that a site seen in several profiles of one
// process is one lock. Bad input yields a positioned *evidence.Error;
// see errorAt for how positions are found and where they are approximate.
package pprof

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// Format is the decoder's format name.
const Format = "pprof"

// DefaultTopN is how many functions (and sites) per sample type a
// profile keeps when Decoder.TopN is zero.
const DefaultTopN = 50

// Caps that keep a hostile or huge profile's fragment bounded.
const (
	// MaxNodes bounds the nodes a profile produces; goroutine stacks past
	// it are dropped (largest counts are kept) and counted in
	// "profile.stacks_dropped".
	MaxNodes = 20000
	// MaxStackFrames bounds the frames kept per goroutine stack
	// (innermost first).
	MaxStackFrames = 128
	// MaxSampleTypes bounds the sample types mapped (real profiles have
	// at most a handful); per-function tables grow with their number.
	MaxSampleTypes = 16
	maxTopN        = 1000
)

// Decoder decodes pprof profiles. The zero value is ready to use.
type Decoder struct {
	// TopN is how many functions and sites to keep per sample type and
	// ranking (flat, cumulative); 0 means DefaultTopN.
	TopN int
}

// Format returns "pprof".
func (*Decoder) Format() string { return Format }

// Decode parses in as google/pprof would and maps it to a compact
// fragment (see the package documentation).
func (d *Decoder) Decode(ctx context.Context, in *evidence.Input) (*epg.Fragment, error) {
	p, err := parse(in)
	if err != nil {
		return nil, err
	}
	m := newMapper(in, p, d.topN())
	if err := m.run(ctx); err != nil {
		return nil, err
	}
	return m.f, nil
}

func (d *Decoder) topN() int {
	switch {
	case d.TopN <= 0:
		return DefaultTopN
	case d.TopN > maxTopN:
		return maxTopN
	}
	return d.TopN
}

// digest names the artifact in node IDs: two profiles never share frame
// or object nodes, whose attributes hold per-profile values.
func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:6])
}

var _ evidence.Decoder = (*Decoder)(nil)
