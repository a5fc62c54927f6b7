// Package happypath checks that a patch leaves a service's healthy
// requests alone. Healthy requests of the failing endpoint, recorded as
// capsules by TAG's capture SDK, are served on the unpatched and on the
// patched tree and must answer alike (the verifier's "neighbours" check);
// their answers on the patched tree must also keep the invariants mined
// from the endpoint's healthy production traces, those of them that a
// replayed request can show (the "invariants" check).
//
// Both checks serve the same requests, so a tree is observed once and
// both read the result.
package happypath

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	"github.com/tagdebug/tag/internal/analysis/invariant"
	"github.com/tagdebug/tag/internal/repro"
	"github.com/tagdebug/tag/internal/verify"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// MaxCapsules bounds the healthy requests replayed: each is served twice
// on every tree, and a few distinct ones show a changed answer as well as
// many.
const MaxCapsules = 4

// DurationSlack is added to a mined duration's upper bound before a
// replayed request is held to it: a replay runs on a build machine, not
// the production host.
const DurationSlack = 50 * time.Millisecond

// observable are the attributes of an endpoint's server span that a
// replayed request shows (its answer's status, and what names the
// endpoint).
var observable = []string{epg.AttrHTTPStatus, "http.status_code", "http.request.method", epg.AttrHTTPRoute, epg.AttrSpanKind}

// Checker runs the two checks for one incident's candidates.
type Checker struct {
	incident string
	repo     string
	caps     []*capsule.Capsule
	// model is a healthy production server span of the endpoint; replayed
	// answers are written as spans like it.
	model    *epg.Node
	spanType string
	set      *invariant.Set // About(spanType); nil without enough traces
	why      string         // why set is nil

	mu   sync.Mutex
	seen map[string]*observation
}

type observation struct {
	done chan struct{}
	obs  []repro.Observation
	err  error
}

// New prepares the checks: caps are healthy capsules of the endpoint (the
// first MaxCapsules are used), repo the unpatched repository (only read),
// and healthy the endpoint's healthy production traces (may be empty).
func New(incident, repo string, caps []*capsule.Capsule, healthy []*cohort.Trace) *Checker {
	c := &Checker{incident: incident, repo: repo, caps: caps[:min(len(caps), MaxCapsules)], seen: map[string]*observation{}}
	switch {
	case len(healthy) == 0:
		c.why = "no healthy production traces of the endpoint in the store"
	default:
		c.model = healthy[0].Root()
		c.spanType = healthy[0].Spans[0].Type
		set := invariant.Mine(healthy, invariant.Options{}).About(c.spanType, DurationSlack, observable...)
		if len(set.Invariants) == 0 {
			c.why = fmt.Sprintf("%d healthy trace(s) of %s: too few to mine invariants from", len(healthy), c.spanType)
		} else {
			c.set = set
		}
	}
	return c
}

// Capsules are the healthy requests the checks replay.
func (c *Checker) Capsules() []*capsule.Capsule { return c.caps }

// observe serves the healthy requests on a copy of the tree at dir, once
// per tree; concurrent callers wait for the first.
func (c *Checker) observe(ctx context.Context, dir string) ([]repro.Observation, error) {
	c.mu.Lock()
	o, ok := c.seen[dir]
	if !ok {
		o = &observation{done: make(chan struct{})}
		c.seen[dir] = o
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-o.done:
			return o.obs, o.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	o.obs, o.err = c.serve(ctx, dir)
	if ctx.Err() != nil {
		// Cancelled, not answered: a later caller tries again.
		c.mu.Lock()
		delete(c.seen, dir)
		c.mu.Unlock()
	}
	close(o.done)
	return o.obs, o.err
}

func (c *Checker) serve(ctx context.Context, dir string) ([]repro.Observation, error) {
	sb, err := repro.NewSandboxContext(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	r, err := repro.Observe(ctx, sb, repro.ObserveOptions{Incident: c.incident, Capsules: c.caps})
	if err != nil {
		return nil, err
	}
	return r.Observations, nil
}

// Prefetch observes the unpatched repository in the background, so the
// first candidate's check does not wait for it.
func (c *Checker) Prefetch(ctx context.Context) {
	if len(c.caps) > 0 {
		go c.observe(ctx, c.repo)
	}
}

// Neighbours serves the healthy requests on the unpatched repository and
// on the tree at dir and says whether they answered alike (a
// verify.Input.Neighbours callback).
func (c *Checker) Neighbours(ctx context.Context, dir string) (bool, string, error) {
	if len(c.caps) == 0 {
		return false, "", fmt.Errorf("no healthy captures of the endpoint to replay: %w", verify.ErrNotApplicable)
	}
	before, err := c.observe(ctx, c.repo)
	if err != nil {
		return false, "", fmt.Errorf("unpatched tree: %w", err)
	}
	after, err := c.observe(ctx, dir)
	if err != nil {
		return false, "", fmt.Errorf("patched tree: %w", err)
	}
	cmp := repro.Compare(before, after)
	return cmp.Same(), cmp.String(), nil
}

// Invariants holds the healthy requests' answers on the tree at dir to
// the invariants mined from the endpoint's healthy traces (a
// verify.Input.Invariants callback).
func (c *Checker) Invariants(ctx context.Context, dir string) (bool, string, error) {
	switch {
	case c.set == nil:
		return false, "", fmt.Errorf("%s: %w", c.why, verify.ErrNotApplicable)
	case len(c.caps) == 0:
		return false, "", fmt.Errorf("no healthy captures of the endpoint to replay against %d invariant(s): %w", len(c.set.Invariants), verify.ErrNotApplicable)
	}
	obs, err := c.observe(ctx, dir)
	if err != nil {
		return false, "", err
	}
	traces, err := c.traces(obs)
	if err != nil {
		return false, "", err
	}
	r := c.set.Check(traces)
	var b strings.Builder
	if len(r.Broken) == 0 {
		fmt.Fprintf(&b, "%d invariant(s) of %s, mined from %d healthy trace(s), hold on %d replayed healthy request(s):", len(c.set.Invariants), c.spanType, c.set.Traces, len(traces))
		// The telling ones first: status, values, duration; presence last.
		invs := slices.Clone(c.set.Invariants)
		presence := func(inv invariant.Invariant) int {
			if inv.Kind == invariant.NonNull {
				return 1
			}
			return 0
		}
		slices.SortStableFunc(invs, func(x, y invariant.Invariant) int { return cmp.Compare(presence(x), presence(y)) })
		for _, inv := range invs {
			fmt.Fprintf(&b, "\n  %s", inv.Statement)
		}
		return true, b.String(), nil
	}
	fmt.Fprintf(&b, "%d invariant(s) of %s broken on the patched tree:", len(r.Broken)+r.Omitted, c.spanType)
	for _, v := range r.Broken {
		fmt.Fprintf(&b, "\n  %s: observed %s (%d of %d request(s))", v.Invariant.Statement, v.Observed, v.Traces, len(traces))
	}
	return false, b.String(), nil
}

// traces writes each observation as a one-span trace shaped like the
// production server span: same service, name and endpoint attributes,
// the replay's status and its fastest serve's duration.
func (c *Checker) traces(obs []repro.Observation) ([]*cohort.Trace, error) {
	f := &epg.Fragment{}
	const base = int64(1) << 60 // any non-zero start: a zero start reads as unknown
	for i, o := range obs {
		attrs := epg.Attrs(nil)
		for _, k := range []string{"http.request.method", epg.AttrHTTPRoute, epg.AttrSpanKind} {
			if v, ok := c.model.Attr(k); ok {
				attrs = attrs.Set(k, v)
			}
		}
		status := c.model.Attrs.Str(epg.AttrStatusCode)
		if o.Status >= 500 || o.Panic != "" || o.TimedOut {
			status = "error"
		}
		attrs = attrs.Set(epg.AttrStatusCode, epg.String(status))
		if _, legacy := c.model.Attr("http.status_code"); legacy {
			attrs = attrs.Set("http.status_code", epg.Int(int64(o.Status)))
		} else {
			attrs = attrs.Set(epg.AttrHTTPStatus, epg.Int(int64(o.Status)))
		}
		trace, span := fmt.Sprintf("%032x", i+1), fmt.Sprintf("%016x", i+1)
		f.Nodes = append(f.Nodes, epg.Node{ID: epg.SpanNodeID(trace, span), Kind: epg.KindSpan, Name: c.model.Name,
			Service: c.model.Service, Start: base, End: base + max(o.Duration, 1), Attrs: epg.SortAttrs(attrs),
			Trace: epg.TraceRef{TraceID: trace, SpanID: span}})
	}
	b := epg.NewBuilder()
	b.Add(f)
	g := b.Build()
	out := make([]*cohort.Trace, 0, len(obs))
	for i := range obs {
		t, err := cohort.Load(g, fmt.Sprintf("%032x", i+1))
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}
