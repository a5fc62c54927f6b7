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

// boundedCache is a concurrent map from strings, holding at most
// maxCached entries: evidence chooses its keys and values, so a cache of
// them must not grow with what an attacker sends. Beyond the bound it
// stops remembering and everything still works, only slower.
type boundedCache struct {
	m sync.Map
	n atomic.Int32
}

const maxCached = 1 << 14

// maxCleanLen bounds the values remembered as clean.
const maxCleanLen = 128

func (c *boundedCache) load(k string) (any, bool) { return c.m.Load(k) }

func (c *boundedCache) has(k string) bool {
	_, ok := c.m.Load(k)
	return ok
}

func (c *boundedCache) store(k string, v any) {
	if c.n.Load() < maxCached {
		c.n.Add(1)
		c.m.Store(k, v)
	}
}

// add remembers k as a member of a set.
func (c *boundedCache) add(k string) { c.store(k, struct{}{}) }

func (c *ctx) plan(key string) *keyPlan {
	if p, ok := c.rs.plans.load(key); ok {
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
	c.rs.plans.store(key, p)
	return p
}
