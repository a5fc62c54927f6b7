package critpath

import (
	"errors"
	"fmt"

	"github.com/tagdebug/tag/epg"
)

// Sentinel errors of [Compute].
var (
	ErrNotFound = errors.New("critpath: no such node")
	ErrNotSpan  = errors.New("critpath: node is not a span")
)

// Options bound the result. Zero fields take the defaults.
type Options struct {
	MaxSegments int // segments listed (default 50): the longest, in time order
	MaxSpans    int // spans listed (default 20): the most critical time
	MaxOps      int // service/operation rows listed (default 20)
	// NoSkew leaves timestamps on their own service's clock.
	NoSkew bool
}

func (o Options) norm() Options {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxSegments, 50)
	def(&o.MaxSpans, 20)
	def(&o.MaxOps, 20)
	return o
}

// Path is the critical path of the trace below one root span. Times are
// Unix nanoseconds on the reference clock (skew-corrected).
type Path struct {
	Root       string `json:"root"`
	TraceID    string `json:"trace_id,omitempty"`
	StartUnix  int64  `json:"start_unix_nano"`
	EndUnix    int64  `json:"end_unix_nano"`
	DurationNs int64  `json:"duration_ns"`
	// Spans counts the spans below the root (itself included); Critical
	// those with time on the path.
	Spans    int `json:"spans"`
	Critical int `json:"critical"`
	// Segments tile [StartUnix, EndUnix] in time order; when bounded, the
	// longest are kept and the rest counted.
	Segments         []Segment `json:"segments"`
	OmittedSegments  int       `json:"omitted_segments,omitempty"`
	OmittedSegmentNs int64     `json:"omitted_segment_ns,omitempty"`
	// SpanTimes are the spans on the path, most critical time first.
	SpanTimes    []SpanTime `json:"span_times"`
	OmittedSpans int        `json:"omitted_spans,omitempty"`
	// Ops aggregate every span of the tree by service and operation,
	// most critical time first.
	Ops        []OpTime `json:"ops"`
	OmittedOps int      `json:"omitted_ops,omitempty"`
	// Skews are the corrections applied, by service.
	Skews []epg.Skew `json:"skews,omitempty"`
	// Async counts follows_from links leaving the tree's spans (never
	// blocking); Clipped the children clipped to their parent's window.
	Async   int `json:"async,omitempty"`
	Clipped int `json:"clipped,omitempty"`
}

// Segment is a stretch of the path during which one span was doing its
// own work (not waiting for a child).
type Segment struct {
	Span       string `json:"span"`
	Service    string `json:"service,omitempty"`
	Name       string `json:"name,omitempty"`
	StartUnix  int64  `json:"start_unix_nano"`
	EndUnix    int64  `json:"end_unix_nano"`
	DurationNs int64  `json:"duration_ns"`
}

// SpanTime is one span on the critical path.
type SpanTime struct {
	Span       string `json:"span"`
	Service    string `json:"service,omitempty"`
	Name       string `json:"name,omitempty"`
	StartUnix  int64  `json:"start_unix_nano"`
	EndUnix    int64  `json:"end_unix_nano"`
	DurationNs int64  `json:"duration_ns"`
	// SelfNs is the span's time not covered by any child.
	SelfNs int64 `json:"self_ns"`
	// CriticalNs is the span's own time on the critical path.
	CriticalNs int64 `json:"critical_ns"`
	Children   int   `json:"children"`
	// Blocking are the children on the path, in time order (at most 10).
	Blocking        []string `json:"blocking,omitempty"`
	OmittedBlocking int      `json:"omitted_blocking,omitempty"`
}

// OpTime aggregates the spans of one service and operation.
type OpTime struct {
	Service    string `json:"service,omitempty"`
	Name       string `json:"name"`
	Count      int    `json:"count"`
	TotalNs    int64  `json:"total_ns"`
	SelfNs     int64  `json:"self_ns"`
	CriticalNs int64  `json:"critical_ns"`
}

// Compute returns the critical path below the span with node ID root.
func Compute(g *epg.Graph, root string, opt Options) (*Path, error) {
	i, ok := g.Lookup(root)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, root)
	}
	if g.Node(i).Kind != epg.KindSpan {
		return nil, fmt.Errorf("%w: %s is a %s", ErrNotSpan, root, g.Node(i).Kind)
	}
	opt = opt.norm()
	t := newTree(g, i, !opt.NoSkew)
	segs, entered := t.walk()
	return t.result(segs, entered, opt), nil
}
