package main

import (
	"context"
	"strings"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
	"github.com/tagdebug/tag/internal/happypath"
	"github.com/tagdebug/tag/sdk/go/capsule"
)

// happyPath prepares tag fix's neighbours and invariants checks: the
// failing endpoint's healthy stored capsules (replayed on both trees) and
// its healthy production traces (mined for invariants).
func (a *app) happyPath(ctx context.Context, p *reproPlan, repo string) (*happypath.Checker, error) {
	v := p.view
	service, endpoint := v.Incident.Service, v.Incident.Endpoint
	if len(p.goCaps) > 0 {
		// Evidence without a trace (a race report) names no endpoint; the
		// requests it is reproduced from do.
		service, endpoint = p.goCaps[0].Service, capsuleEndpoint(p.goCaps[0])
	}
	if endpoint == "" {
		return happypath.New(v.Incident.ID, repo, nil, nil), nil
	}
	st, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := storedCapsules(ctx, st, func(c *capsule.Capsule) bool {
		return c.Service == service && capsuleEndpoint(c) == endpoint && healthyCapsule(c)
	})
	if err != nil {
		return nil, err
	}
	graphs, err := baselineGraphs(ctx, st)
	if err != nil {
		return nil, err
	}
	key := cohort.Key{Service: service, Endpoint: endpoint}
	var healthy []*cohort.Trace
	for _, g := range graphs {
		healthy = append(healthy, cohort.Healthy(cohort.LoadAll(g), key, nil)...)
	}
	return happypath.New(v.Incident.ID, repo, caps, healthy), nil
}

// capsuleEndpoint names a capsule's endpoint the way incidents and
// cohorts do: "METHOD /route".
func capsuleEndpoint(c *capsule.Capsule) string {
	if c.Route == "" || strings.Contains(c.Route, " ") {
		return c.Route
	}
	return c.Request.Method + " " + c.Route
}

// healthyCapsule reports whether a capsule recorded a request that went
// well and was kept only because it was sampled (or asked for): not a
// panic, an error, a slow request or a hang.
func healthyCapsule(c *capsule.Capsule) bool {
	return c.Panic == nil && c.Response.Status > 0 && c.Response.Status < 500 &&
		(c.Promoted == capsule.PromotedSample || c.Promoted == capsule.PromotedHeader)
}
