package redact

import (
	"sync"
	"sync/atomic"
)

// Shapes an attribute key gives its value, in the order attr tries them.
const (
	shapeNone = iota
	shapeBody
	shapeLogBody
	shapeURL
	shapeSQL
	shapeHeader
)

// keyPlan is what the policy decides for an attribute key, before looking
// at the value.
type keyPlan struct {
	rule   *FieldRule
	where  string
	shape  uint8
	header string
}

// planCache maps attribute keys to plans, up to maxPlans keys: evidence
// chooses its keys, so the cache must not grow with what an attacker
// sends.
type planCache struct {
	m sync.Map
	n atomic.Int32
}

const maxPlans = 1 << 14

// maxCleanLen bounds the values remembered as clean.
const maxCleanLen = 128

// keySet is a bounded concurrent set of strings.
type keySet struct {
	m sync.Map
	n atomic.Int32
}

func (s *keySet) has(k string) bool {
	_, ok := s.m.Load(k)
	return ok
}

func (s *keySet) add(k string) {
	if s.n.Load() < maxPlans {
		s.n.Add(1)
		s.m.Store(k, struct{}{})
	}
}

func (c *ctx) plan(key string) *keyPlan {
	if p, ok := c.rs.plans.m.Load(key); ok {
		return p.(*keyPlan)
	}
	p := &keyPlan{}
	p.rule, p.where = c.fieldRule(key)
	pol := c.e.pol
	switch {
	case matchAny(pol.Bodies.Match, key) && !matchAny(pol.Bodies.Except, key):
		p.shape = shapeBody
	case key == "log.body":
		p.shape = shapeLogBody
	case matchAny(pol.URLs, key):
		p.shape = shapeURL
	case matchAny(pol.SQL, key):
		p.shape = shapeSQL
	default:
		if name, ok := headerName(key); ok {
			p.shape, p.header = shapeHeader, name
		}
	}
	if c.rs.plans.n.Load() < maxPlans {
		c.rs.plans.n.Add(1)
		c.rs.plans.m.Store(key, p)
	}
	return p
}
