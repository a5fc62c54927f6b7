package cohort

import (
	"errors"
	"fmt"

	"github.com/tagdebug/tag/epg"
)

// ErrNoBaseline is returned when no healthy trace of the failing
// occurrence's endpoint is found.
var ErrNoBaseline = errors.New("cohort: no healthy traces of the endpoint")

// Ref names one trace of one graph.
type Ref struct {
	Graph   *epg.Graph
	TraceID string
}

// Split is what a differential analysis compares: failing occurrences of
// one endpoint and healthy traces of the same endpoint (and version).
type Split struct {
	Key     Key
	Failing []*Trace
	Healthy []*Trace
}

// Assemble loads the failing traces and gathers, from the baseline
// graphs, every trace the first failing trace's key admits that did not
// fail and is not itself one of the failing ones. The failing graph may be
// among the baseline graphs.
func Assemble(failing []Ref, baseline ...*epg.Graph) (*Split, error) {
	if len(failing) == 0 {
		return nil, errors.New("cohort: no failing trace given")
	}
	s := &Split{}
	skip := map[string]bool{}
	for _, r := range failing {
		t, err := Load(r.Graph, r.TraceID)
		if err != nil {
			return nil, err
		}
		s.Failing = append(s.Failing, t)
		skip[r.TraceID] = true
	}
	s.Key = s.Failing[0].Key()
	for _, t := range s.Failing[1:] {
		if k := t.Key(); k.Service != s.Key.Service || k.Endpoint != s.Key.Endpoint {
			return nil, fmt.Errorf("cohort: failing traces of two endpoints: %s and %s", s.Key, k)
		}
	}
	for _, g := range baseline {
		s.Healthy = append(s.Healthy, Healthy(LoadAll(g), s.Key, skip)...)
	}
	if len(s.Healthy) == 0 {
		return s, fmt.Errorf("%w %s", ErrNoBaseline, s.Key)
	}
	return s, nil
}

// Single compares the trace traceID of g with the healthy traces of its
// endpoint in g: [Assemble] for the common case of one graph.
func Single(g *epg.Graph, traceID string) (*Split, error) {
	return Assemble([]Ref{{Graph: g, TraceID: traceID}}, g)
}

// Healthy returns the traces of ts that key admits, that did not fail and
// whose IDs are not in skip.
func Healthy(ts []*Trace, key Key, skip map[string]bool) []*Trace {
	var out []*Trace
	for _, t := range ts {
		if !skip[t.ID] && key.Admits(t.Key()) && !t.Failed() {
			out = append(out, t)
		}
	}
	return out
}
