package causality

import "github.com/tagdebug/tag/epg"

// Resolution detection. A service whose every timestamp is a multiple of
// 1000 ns records microseconds. A handful of timestamps that happen to be
// round says little, though (hand-written traces are full of them), so
// with fewer than minSamples the detected resolution is capped at a
// microsecond, the coarsest of the common trace formats.
const (
	minSamples    = 32
	maxResolution = int64(1_000_000)
	capFewSamples = int64(1_000)
)

// resolutions detects each service's timestamp resolution: the largest
// power of ten, up to a millisecond, that divides all its timestamps.
func (c *Clock) resolutions() {
	type acc struct {
		res int64
		n   int
	}
	accs := map[string]*acc{}
	c.g.Nodes(epg.KindUnspecified, func(_ int32, n *epg.Node) bool {
		if n.Start == 0 || n.Kind != epg.KindSpan && n.Kind != epg.KindEvent {
			return true
		}
		a := accs[n.Service]
		if a == nil {
			a = &acc{res: maxResolution}
			accs[n.Service] = a
		}
		for _, t := range []int64{n.Start, n.End} {
			if t != 0 {
				a.n++
				for a.res > 1 && t%a.res != 0 {
					a.res /= 10
				}
			}
		}
		return true
	})
	for name, a := range accs {
		r := a.res
		if a.n < minSamples {
			r = min(r, capFewSamples)
		}
		if c.opt.Resolution > 0 {
			r = c.opt.Resolution
		}
		c.svc(name).res = r
	}
}

// resolution returns a service's resolution (1 ns when unknown).
func (c *Clock) resolution(name string) int64 {
	if c.opt.Resolution > 0 {
		return c.opt.Resolution
	}
	if s, ok := c.svcs[name]; ok {
		return s.res
	}
	return 1
}
