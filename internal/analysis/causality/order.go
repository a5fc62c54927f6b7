package causality

import (
	"errors"
	"fmt"

	"github.com/tagdebug/tag/epg"
)

// ErrNoTime is returned for an instant whose node is missing or carries
// no timestamp.
var ErrNoTime = errors.New("causality: no timestamp")

// Relations between two instants.
const (
	Before     = "before"
	After      = "after"
	Concurrent = "concurrent"
)

// Instant is a point in time of a node: its start, or with End its end.
// Events are points; their start and end coincide.
type Instant struct {
	Node string `json:"node"`
	End  bool   `json:"end,omitempty"`
}

// Time is an instant placed on the reference clock.
type Time struct {
	Instant
	Service string `json:"service,omitempty"`
	RawUnix int64  `json:"raw_unix_nano"`
	Unix    int64  `json:"unix_nano"` // corrected
	// OffsetNs is the correction applied; ResolutionNs the service's
	// timestamp resolution.
	OffsetNs     int64 `json:"offset_ns,omitempty"`
	ResolutionNs int64 `json:"resolution_ns"`
}

// Ordering says how two instants A and B relate.
type Ordering struct {
	A Time `json:"a"`
	B Time `json:"b"`
	// Relation is Before (A happened before B), After or Concurrent
	// (the clocks cannot tell).
	Relation string `json:"relation"`
	// GapNs is B - A on the reference clock; RawGapNs the same on the
	// services' own clocks.
	GapNs    int64 `json:"gap_ns"`
	RawGapNs int64 `json:"raw_gap_ns"`
	// UncertaintyNs bounds the error of GapNs: the larger of the skew
	// error between the two services' clocks and the coarser timestamp
	// resolution. The true gap lies in [LowNs, HighNs].
	UncertaintyNs int64 `json:"uncertainty_ns"`
	SkewErrorNs   int64 `json:"skew_error_ns,omitempty"`
	LowNs         int64 `json:"low_ns"`
	HighNs        int64 `json:"high_ns"`
	// RawRelation is what the raw timestamps say, with the resolution as
	// their only uncertainty. Flipped is true when they put the two in
	// the opposite order: the correction changed the answer.
	RawRelation string `json:"raw_relation"`
	Flipped     bool   `json:"flipped,omitempty"`
}

// At places an instant on the reference clock.
func (c *Clock) At(in Instant) (Time, error) {
	i, ok := c.g.Lookup(in.Node)
	if !ok {
		return Time{}, fmt.Errorf("%w: no node %s", ErrNoTime, in.Node)
	}
	n := c.g.Node(i)
	raw := n.Start
	if in.End && n.End != 0 {
		raw = n.End
	}
	if raw == 0 {
		return Time{}, fmt.Errorf("%w: %s", ErrNoTime, in.Node)
	}
	svc := c.serviceOf(i)
	t := Time{Instant: in, Service: svc, RawUnix: raw, Unix: raw, ResolutionNs: c.resolution(svc)}
	if s, ok := c.svcs[svc]; ok && !c.opt.NoSkew {
		t.OffsetNs = s.skew.Offset
		t.Unix += s.skew.Offset
	}
	return t, nil
}

// serviceOf returns the node's service, or for an event without one, the
// service of the span that emitted it.
func (c *Clock) serviceOf(i int32) string {
	n := c.g.Node(i)
	if n.Service != "" || n.Kind != epg.KindEvent {
		return n.Service
	}
	for _, p := range c.g.Parents(i, epg.EdgeEmits) {
		if pn := c.g.Node(p); pn.Kind == epg.KindSpan {
			return pn.Service
		}
	}
	for _, s := range c.g.Children(i, epg.EdgeCorrelates) {
		if sn := c.g.Node(s); sn.Kind == epg.KindSpan {
			return sn.Service
		}
	}
	return ""
}

// Order relates two instants.
func (c *Clock) Order(a, b Instant) (Ordering, error) {
	ta, err := c.At(a)
	if err != nil {
		return Ordering{}, err
	}
	tb, err := c.At(b)
	if err != nil {
		return Ordering{}, err
	}
	return c.order(ta, tb), nil
}

func (c *Clock) order(a, b Time) Ordering {
	o := Ordering{A: a, B: b, GapNs: b.Unix - a.Unix, RawGapNs: b.RawUnix - a.RawUnix}
	if !c.opt.NoSkew {
		o.SkewErrorNs = c.relErr(a.Service, b.Service)
	}
	o.UncertaintyNs = max(o.SkewErrorNs, a.ResolutionNs, b.ResolutionNs)
	o.LowNs, o.HighNs = o.GapNs-o.UncertaintyNs, o.GapNs+o.UncertaintyNs
	o.Relation = relation(o.GapNs, o.UncertaintyNs)
	o.RawRelation = relation(o.RawGapNs, max(a.ResolutionNs, b.ResolutionNs))
	o.Flipped = o.Relation == Before && o.RawRelation == After || o.Relation == After && o.RawRelation == Before
	return o
}

// relation decides from a gap and its uncertainty: ordered only when the
// whole interval [gap-u, gap+u] lies on one side of zero. The interval
// is closed: a midpoint skew estimate's error is exactly the slack that
// keeps the server inside the client, so a server start at the edge of
// it is still after the client's send.
func relation(gap, u int64) string {
	switch {
	case gap > 0 && gap-u >= 0:
		return Before
	case gap < 0 && gap+u <= 0:
		return After
	}
	return Concurrent
}

// Path relates each instant of a path to the next: len(path)-1
// orderings. ok is true when every step is Before.
func (c *Clock) Path(path []Instant) (steps []Ordering, ok bool, err error) {
	ok = true
	for i := 1; i < len(path); i++ {
		o, err := c.Order(path[i-1], path[i])
		if err != nil {
			return nil, false, err
		}
		steps = append(steps, o)
		ok = ok && o.Relation == Before
	}
	return steps, ok, nil
}
