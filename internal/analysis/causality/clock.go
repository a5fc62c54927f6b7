package causality

import (
	"slices"

	"github.com/tagdebug/tag/epg"
)

// Options tune the clock model. Zero fields take the defaults.
type Options struct {
	// NoSkew leaves every timestamp on its own service's clock, to see
	// what the raw times would say.
	NoSkew bool
	// Resolution, when positive, is the timestamp resolution in ns for
	// every service instead of the one detected.
	Resolution int64
	// MaxRPCs bounds [Clock.RPCs] (default 100).
	MaxRPCs int
}

// Clock corrects and orders the timestamps of one graph. Build it once
// with [NewClock] and ask it many questions.
type Clock struct {
	g    *epg.Graph
	opt  Options
	svcs map[string]*service
}

// service is one service's clock: its skew estimate, the service that
// estimate was measured against, and its timestamp resolution.
type service struct {
	skew epg.Skew
	ref  string // "" for the reference clock
	res  int64
}

// NewClock reads g's skew estimates and timestamp resolutions.
func NewClock(g *epg.Graph, opt Options) *Clock {
	if opt.MaxRPCs <= 0 {
		opt.MaxRPCs = 100
	}
	c := &Clock{g: g, opt: opt, svcs: map[string]*service{}}
	c.resolutions()
	if !opt.NoSkew {
		for _, s := range g.Skews() {
			c.svc(s.Service).skew = s
		}
		c.references()
	}
	return c
}

func (c *Clock) svc(name string) *service {
	s, ok := c.svcs[name]
	if !ok {
		s = &service{res: 1}
		c.svcs[name] = s
	}
	return s
}

// references finds, for each service with a skew estimate, the service
// it was measured against: the service whose spans call its spans most
// often (ties: the smaller name).
func (c *Clock) references() {
	votes := map[string]map[string]int{}
	c.g.Nodes(epg.KindSpan, func(i int32, n *epg.Node) bool {
		if s, ok := c.svcs[n.Service]; !ok || s.skew == (epg.Skew{}) {
			return true
		}
		for _, p := range c.g.Parents(i, epg.EdgeCall) {
			if pn := c.g.Node(p); pn.Kind == epg.KindSpan && pn.Service != n.Service {
				if votes[n.Service] == nil {
					votes[n.Service] = map[string]int{}
				}
				votes[n.Service][pn.Service]++
			}
		}
		return true
	})
	for name, vs := range votes {
		best := ""
		for ref, n := range vs {
			if best == "" || n > vs[best] || n == vs[best] && ref < best {
				best = ref
			}
		}
		c.svcs[name].ref = best
	}
}

// chain returns the services from name up to the reference clock, with
// the error accumulated on the way to each.
func (c *Clock) chain(name string) ([]string, []int64) {
	names, errs := []string{name}, []int64{0}
	for len(names) <= len(c.svcs)+1 {
		s, ok := c.svcs[names[len(names)-1]]
		if !ok || s.ref == "" || slices.Contains(names, s.ref) {
			break
		}
		names = append(names, s.ref)
		errs = append(errs, errs[len(errs)-1]+s.skew.Error)
	}
	last := names[len(names)-1]
	errs = append(errs, errs[len(errs)-1]+c.errOf(last))
	return append(names, ""), errs
}

func (c *Clock) errOf(name string) int64 {
	if s, ok := c.svcs[name]; ok {
		return s.skew.Error
	}
	return 0
}

// relErr is the uncertainty of the offset between two services' clocks:
// the errors along the path between them in the tree of estimates.
func (c *Clock) relErr(a, b string) int64 {
	if a == b {
		return 0
	}
	an, ae := c.chain(a)
	bn, be := c.chain(b)
	for j, n := range bn {
		if i := slices.Index(an, n); i >= 0 {
			return ae[i] + be[j]
		}
	}
	return ae[len(ae)-1] + be[len(be)-1]
}
