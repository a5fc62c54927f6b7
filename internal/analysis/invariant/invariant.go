package invariant

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Kind is the form of an invariant.
type Kind string

// Invariant kinds, in the order they rank among equals.
const (
	Status   Kind = "status"     // a span type's status is one of those seen
	Known    Kind = "known_type" // every span is of a type seen
	Count    Kind = "count"      // spans of a type per trace within bounds
	ChildOf  Kind = "child_of"   // a span type is always called by another
	After    Kind = "after"      // spans of a type start after those of another end
	NonNull  Kind = "non_null"   // a span type always has an attribute
	Enum     Kind = "enum"       // an attribute takes one of a few values
	Range    Kind = "range"      // a numeric attribute within bounds
	Duration Kind = "duration"   // a span type's duration within bounds
)

var kindOrder = []Kind{Status, Known, Count, ChildOf, After, NonNull, Enum, Range, Duration}

// Invariant is one relation that held over the healthy cohort.
type Invariant struct {
	Kind Kind `json:"kind"`
	// SpanType is the span type it is about (empty for Known); Other the
	// second type of ChildOf and After.
	SpanType string `json:"span_type,omitempty"`
	Other    string `json:"other_type,omitempty"`
	Key      string `json:"key,omitempty"`
	// Bounds holds Range, Duration (ns) and Count limits.
	Bounds *Bounds `json:"bounds,omitempty"`
	// Values holds the Enum and Status sets, sorted.
	Values []string `json:"values,omitempty"`
	// Support counts the observations that held it: spans for span-level
	// invariants, traces for trace-level ones.
	Support int `json:"support"`
	// Statement says it in words.
	Statement string `json:"statement"`
}

// Bounds are the limits an invariant checks, tolerance included, and the
// extremes actually seen.
type Bounds struct {
	Low     float64 `json:"low"`
	High    float64 `json:"high"`
	SeenMin float64 `json:"seen_min"`
	SeenMax float64 `json:"seen_max"`
}

func (b *Bounds) holds(x float64) bool { return x >= b.Low && x <= b.High }

// Options tune mining and bound reports. Zero fields take their defaults.
type Options struct {
	// MinSupport is the fewest observations an invariant needs (default 5).
	MinSupport int
	// Tolerance widens numeric ranges by this fraction of their span or
	// magnitude, whichever is larger (default 0.1).
	Tolerance float64
	// DurationSlack widens duration bounds by this fraction (default 0.5):
	// latency is noisier than data.
	DurationSlack float64
	// MaxEnum is the most values an enum may have (default 10).
	MaxEnum int
	// MaxTypes bounds the span types ordering relations are mined between,
	// the most frequent first (default 64).
	MaxTypes int
	// TopN bounds the violations reported (default 20), MaxNodes the node
	// IDs cited per violation (default 5).
	TopN     int
	MaxNodes int
}

func (o Options) withDefaults() Options {
	o.MinSupport = cmp.Or(max(o.MinSupport, 0), 5)
	o.Tolerance = cmp.Or(max(o.Tolerance, 0), 0.1)
	o.DurationSlack = cmp.Or(max(o.DurationSlack, 0), 0.5)
	o.MaxEnum = cmp.Or(max(o.MaxEnum, 0), 10)
	o.MaxTypes = cmp.Or(max(o.MaxTypes, 0), 64)
	o.TopN = cmp.Or(max(o.TopN, 0), 20)
	o.MaxNodes = cmp.Or(max(o.MaxNodes, 0), 5)
	return o
}

// Set is the invariants mined from a cohort.
type Set struct {
	// Traces is how many healthy traces they were mined from.
	Traces     int         `json:"traces"`
	Invariants []Invariant `json:"invariants"`
	opt        Options
	known      map[string]bool  // span types seen
	byType     map[string][]int // span-level invariants per type
	knownAt    int              // the Known invariant's index, or -1
}

// Run mines s's healthy traces and checks its failing ones.
func Run(s *cohort.Split, opt Options) *Report {
	r := Mine(s.Healthy, opt).Check(s.Failing)
	r.Endpoint = s.Key
	return r
}

// sortInvariants orders by support, then kind, then statement.
func sortInvariants(is []Invariant) {
	slices.SortFunc(is, compareInvariants)
}

func compareInvariants(a, b Invariant) int {
	return cmp.Or(cmp.Compare(b.Support, a.Support),
		cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
		cmp.Compare(a.Statement, b.Statement))
}

// About returns the span-level invariants of span type typ that one
// observation of a span of that type alone can be checked against — its
// status, its attributes among keys, and its duration — as a set that
// checks like a mined one. Duration keeps only its upper bound, raised by
// slack: an observation made elsewhere (a replay answering its outbound
// calls from memory) may be faster than production for good reasons, and
// a little slower for the machine's. Relations to other spans (callers,
// counts, orderings, the known types) are left out: one span cannot show
// them.
func (s *Set) About(typ string, slack time.Duration, keys ...string) *Set {
	out := &Set{Traces: s.Traces, opt: s.opt, known: map[string]bool{typ: true}, byType: map[string][]int{}}
	for _, inv := range s.Invariants {
		if inv.SpanType != typ {
			continue
		}
		switch inv.Kind {
		case Status:
		case Duration:
			b := *inv.Bounds
			b.Low, b.High = 0, b.High+float64(slack)
			inv.Bounds = &b
			inv.Statement = fmt.Sprintf("%s lasts at most %s", typ, time.Duration(int64(b.High)))
		case NonNull, Enum, Range:
			if !slices.Contains(keys, inv.Key) {
				continue
			}
		default:
			continue
		}
		out.Invariants = append(out.Invariants, inv)
	}
	out.index()
	return out
}
