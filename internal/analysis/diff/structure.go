package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// Structure lists the call paths whose presence or repetition differs.
type Structure struct {
	// Missing: paths most healthy traces have and failing ones lack.
	Missing []PathChange `json:"missing"`
	// Extra: paths failing traces have and healthy ones rarely do.
	Extra []PathChange `json:"extra"`
	// Repeated: paths failing traces repeat more often than the healthy
	// p95.
	Repeated        []PathChange `json:"repeated"`
	OmittedMissing  int          `json:"omitted_missing"`
	OmittedExtra    int          `json:"omitted_extra"`
	OmittedRepeated int          `json:"omitted_repeated"`
}

// PathChange is one call path whose presence differs between the sets.
type PathChange struct {
	// Path is the normalised call path, "svc op > svc op > ...".
	Path      string `json:"path"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// FailingTraces and HealthyTraces count the traces having the path.
	FailingTraces int     `json:"failing_traces"`
	HealthyTraces int     `json:"healthy_traces"`
	FailingShare  float64 `json:"failing_share"`
	HealthyShare  float64 `json:"healthy_share"`
	// FailingCount is the median number of spans on the path per failing
	// trace having it, HealthyCount the healthy p95 (Repeated only).
	FailingCount float64 `json:"failing_count,omitempty"`
	HealthyCount float64 `json:"healthy_count,omitempty"`
	// Folded counts descendant paths with the same change, reported here
	// rather than one by one.
	Folded int `json:"folded,omitempty"`
	// Nodes cites failing spans: the path's own, or for a missing path
	// the spans it would have been called from.
	Nodes []string `json:"nodes"`
}

func structure(f, h *traceSet, opt Options) Structure {
	var s Structure
	s.Missing, s.OmittedMissing = bound(fold(missing(f, h, opt)), opt.TopN)
	s.Extra, s.OmittedExtra = bound(fold(extra(f, h, opt)), opt.TopN)
	s.Repeated, s.OmittedRepeated = bound(fold(repeated(f, h)), opt.TopN)
	return s
}

func change(f, h *traceSet, p string) PathChange {
	c := PathChange{Path: p}
	c.FailingTraces, c.FailingShare = f.share(p)
	c.HealthyTraces, c.HealthyShare = h.share(p)
	c.FailingShare, c.HealthyShare = round(c.FailingShare), round(c.HealthyShare)
	a := f.paths[p]
	if a == nil {
		a = h.paths[p]
	}
	c.Service, c.Operation = a.service, a.operation
	return c
}

func missing(f, h *traceSet, opt Options) []PathChange {
	var out []PathChange
	for _, p := range h.order {
		c := change(f, h, p)
		if c.HealthyShare-c.FailingShare >= opt.MinShift {
			c.Nodes = callers(f, p, opt.MaxNodes)
			out = append(out, c)
		}
	}
	sortChanges(out, func(c PathChange) float64 { return c.HealthyShare - c.FailingShare })
	return out
}

func extra(f, h *traceSet, opt Options) []PathChange {
	var out []PathChange
	for _, p := range f.order {
		c := change(f, h, p)
		if c.FailingShare-c.HealthyShare >= opt.MinShift && c.HealthyShare <= opt.RareShare {
			c.Nodes = f.paths[p].nodes
			out = append(out, c)
		}
	}
	sortChanges(out, func(c PathChange) float64 { return c.FailingShare - c.HealthyShare })
	return out
}

func repeated(f, h *traceSet) []PathChange {
	var out []PathChange
	for _, p := range f.order {
		ha := h.paths[p]
		if ha == nil {
			continue
		}
		fc := quantile(append([]int(nil), f.paths[p].counts...), 0.5)
		hc := quantile(append([]int(nil), ha.counts...), 0.95)
		if fc < 2 || fc <= hc {
			continue
		}
		c := change(f, h, p)
		c.FailingCount, c.HealthyCount, c.Nodes = float64(fc), float64(hc), f.paths[p].nodes
		out = append(out, c)
	}
	sortChanges(out, func(c PathChange) float64 { return c.FailingCount / c.HealthyCount })
	return out
}

// callers cites, in the failing traces, the spans that would have called
// path p: those on its parent path, or the roots.
func callers(f *traceSet, p string, n int) []string {
	pp := parentPath(p)
	out := []string{}
	for _, t := range f.traces {
		for i := range t.Spans {
			if len(out) == n {
				return out
			}
			if t.Spans[i].Path == pp || pp == "" && i == 0 {
				out = append(out, t.Node(i).ID)
				break
			}
		}
	}
	return out
}

// sortChanges orders by score (descending), then shallower paths first,
// then path.
func sortChanges(cs []PathChange, score func(PathChange) float64) {
	slices.SortStableFunc(cs, func(a, b PathChange) int {
		return cmp.Or(cmp.Compare(score(b), score(a)),
			cmp.Compare(strings.Count(a.Path, cohort.PathSep), strings.Count(b.Path, cohort.PathSep)),
			cmp.Compare(a.Path, b.Path))
	})
}

// fold drops changes whose ancestor path changed too, counting them on
// the topmost such ancestor: a missing subtree is one finding.
func fold(cs []PathChange) []PathChange {
	at := make(map[string]int, len(cs))
	for i, c := range cs {
		at[c.Path] = i
	}
	drop := make([]bool, len(cs))
	for i, c := range cs {
		top := -1
		for p := parentPath(c.Path); p != ""; p = parentPath(p) {
			if j, ok := at[p]; ok {
				top = j
			}
		}
		if top >= 0 {
			cs[top].Folded++
			drop[i] = true
		}
	}
	out := cs[:0]
	for i, c := range cs {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}
