package diff

import (
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Options tune and bound a comparison. Zero fields take their defaults.
type Options struct {
	// TopN bounds each section's list (default 10).
	TopN int
	// MaxNodes bounds the node IDs cited per entry (default 5).
	MaxNodes int
	// MinShift is the least difference between the healthy and failing
	// shares of traces having a path for it to count as missing or extra
	// (default 0.5).
	MinShift float64
	// RareShare is the largest healthy share a path may have and still be
	// called extra (default 0.1).
	RareShare float64
	// MinDivergence is the least excess share of failing spans having an
	// attribute value for it to be reported (default 0.2).
	MinDivergence float64
	// MaxValues: a key with more distinct (bucketed) values than this among
	// the healthy spans of a type is high-cardinality and skipped
	// (default 20). Keys with more than 5 values that are mostly unique
	// are skipped too.
	MaxValues int
	// MinExcess is the least self time (ns) a segment must have gained to
	// be reported; 0 means 1% of the healthy median trace duration.
	MinExcess int64
	// KeepOutcome includes outcome keys (status, HTTP and gRPC status,
	// error type) in the attribute ranking. They describe the failure
	// rather than explain it, so they are left out by default.
	KeepOutcome bool
}

func (o Options) withDefaults() Options {
	if o.TopN <= 0 {
		o.TopN = 10
	}
	if o.MaxNodes <= 0 {
		o.MaxNodes = 5
	}
	if o.MinShift <= 0 {
		o.MinShift = 0.5
	}
	if o.RareShare <= 0 {
		o.RareShare = 0.1
	}
	if o.MinDivergence <= 0 {
		o.MinDivergence = 0.2
	}
	if o.MaxValues <= 0 {
		o.MaxValues = 20
	}
	return o
}

// Report is the result of a comparison.
type Report struct {
	Endpoint cohort.Key `json:"endpoint"`
	// FailingCount and HealthyCount are the sizes of the two sets.
	FailingCount int `json:"failing_count"`
	HealthyCount int `json:"healthy_count"`
	// Failing lists the failing trace IDs (at most TopN).
	Failing    []string   `json:"failing"`
	Structure  Structure  `json:"structure"`
	Timing     Timing     `json:"timing"`
	Attributes Attributes `json:"attributes"`
}

// Compare diffs the failing traces of s against its healthy ones. With no
// healthy traces every section is empty.
func Compare(s *cohort.Split, opt Options) *Report {
	opt = opt.withDefaults()
	r := &Report{Endpoint: s.Key, FailingCount: len(s.Failing), HealthyCount: len(s.Healthy), Failing: []string{}}
	for _, t := range s.Failing {
		if len(r.Failing) < opt.TopN {
			r.Failing = append(r.Failing, t.ID)
		}
	}
	if len(s.Failing) == 0 || len(s.Healthy) == 0 {
		return r
	}
	fp, hp := profileAll(s.Failing, opt.MaxNodes), profileAll(s.Healthy, 0)
	r.Structure = structure(fp, hp, opt)
	r.Timing = timing(fp, hp, opt)
	r.Attributes = attributes(s.Failing, s.Healthy, opt)
	return r
}

// bound cuts xs to n entries and returns how many were cut. The result
// is never nil, so that JSON shows an empty list rather than null.
func bound[T any](xs []T, n int) ([]T, int) {
	if xs == nil {
		return []T{}, 0
	}
	if len(xs) <= n {
		return xs, 0
	}
	return xs[:n:n], len(xs) - n
}
