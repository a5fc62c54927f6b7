package pprof

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence/threads"
)

// sampled maps a profile of sampled stacks (CPU, heap, contention, ...)
// to its top frames, and its top sites for heap and contention.
func (m *mapper) sampled(ctx context.Context) error {
	wantSites := m.kind == KindHeap || m.kind == KindContention
	st, err := aggregate(ctx, m.p, m.ft, len(m.typeNames), min(rankType(m.p), max(len(m.typeNames)-1, 0)), wantSites)
	if err != nil {
		return err
	}
	for t, v := range st.total {
		m.event = m.event.Set("profile.total."+m.typeNames[t], epg.Int(v))
	}
	sites := m.topSites(st)
	keep := m.topFuncs(st)
	for _, s := range sites {
		keep[s.at.fn] = true // a site's frame node carries its edge
	}
	ids := m.frameNodes(st, keep)
	m.callEdges(st, ids)
	switch m.kind {
	case KindHeap:
		m.objects(st, sites, ids)
	case KindContention:
		m.locks(st, sites, ids)
	}
	m.event = m.event.Set("profile.functions", epg.Int(int64(len(m.ft.funcs))))
	m.event = m.event.Set("profile.functions_kept", epg.Int(int64(len(ids))))
	return nil
}

// topFuncs returns the union of the top N functions by flat and by
// cumulative value of every sample type.
func (m *mapper) topFuncs(st *stats) map[int32]bool {
	keep := map[int32]bool{}
	fs := make([]int32, 0, len(m.ft.funcs))
	for t := 0; t < st.nType; t++ {
		for _, cum := range []bool{false, true} {
			fs = fs[:0]
			for f := range m.ft.funcs {
				if st.value(int32(f), t, cum) > 0 {
					fs = append(fs, int32(f))
				}
			}
			slices.SortFunc(fs, func(a, b int32) int {
				if c := cmp.Compare(st.value(b, t, cum), st.value(a, t, cum)); c != 0 {
					return c
				}
				return m.cmpFunc(a, b)
			})
			for _, f := range fs[:min(len(fs), m.topN)] {
				keep[f] = true
			}
		}
	}
	return keep
}

func (m *mapper) cmpFunc(a, b int32) int {
	ka, kb := m.ft.funcs[a].key, m.ft.funcs[b].key
	if c := strings.Compare(ka.name, kb.name); c != 0 {
		return c
	}
	return strings.Compare(ka.file, kb.file)
}

// frameNodes adds a frame node per kept function, hottest first, and
// returns their IDs.
func (m *mapper) frameNodes(st *stats, keep map[int32]bool) map[int32]string {
	fs := make([]int32, 0, len(keep))
	names := map[string]int{}
	for f := range keep {
		fs = append(fs, f)
		names[m.ft.funcs[f].key.name]++
	}
	rank := st.rank
	slices.SortFunc(fs, func(a, b int32) int {
		if c := cmp.Compare(st.value(b, rank, true), st.value(a, rank, true)); c != 0 {
			return c
		}
		return m.cmpFunc(a, b)
	})
	lines := st.bestLines()
	ids := make(map[int32]string, len(fs))
	for _, f := range fs {
		k := m.ft.funcs[f].key
		id := "frame:" + m.id + ":" + k.name
		if names[k.name] > 1 {
			id += "@" + k.file // one name, several files: C++ statics, say
		}
		ids[f] = id
		fr := m.ft.frame(f, lines[f])
		a := make(epg.Attrs, 0, 1+2*len(m.typeNames))
		if fr.Module != "" {
			a = append(a, epg.Attr{Key: "frame.module", Value: epg.String(fr.Module)})
		}
		for t := range m.typeNames {
			a = append(a, epg.Attr{Key: m.flatKeys[t], Value: epg.Int(st.value(f, t, false))},
				epg.Attr{Key: m.cumKeys[t], Value: epg.Int(st.value(f, t, true))})
		}
		m.f.Nodes = append(m.f.Nodes, m.node(epg.Node{ID: id, Kind: epg.KindFrame, Name: k.name,
			Attrs: epg.Attrs(epg.SortAttrs(a)), Loc: threads.Loc(&fr)}))
	}
	return ids
}

// callEdges links kept functions adjacent in some stack, caller→callee.
func (m *mapper) callEdges(st *stats, ids map[int32]string) {
	var pairs []uint64
	for pr := range st.calls {
		if ids[int32(pr>>32)] != "" && ids[int32(uint32(pr))] != "" {
			pairs = append(pairs, pr)
		}
	}
	slices.SortFunc(pairs, func(a, b uint64) int {
		return cmp.Or(strings.Compare(ids[int32(a>>32)], ids[int32(b>>32)]),
			strings.Compare(ids[int32(uint32(a))], ids[int32(uint32(b))]))
	})
	for _, pr := range pairs {
		m.f.Edges = append(m.f.Edges, epg.Edge{From: ids[int32(pr>>32)], To: ids[int32(uint32(pr))], Kind: epg.EdgeCall})
	}
}

// topSites returns the union of the top N sites by every sample type,
// largest by the ranking type first.
func (m *mapper) topSites(st *stats) []*site {
	if len(st.sites) == 0 {
		return nil
	}
	all := make([]*site, 0, len(st.sites))
	for _, s := range st.sites {
		all = append(all, s)
	}
	order := func(t int) func(a, b *site) int {
		return func(a, b *site) int {
			if c := cmp.Compare(b.values[t], a.values[t]); c != 0 {
				return c
			}
			if c := m.cmpFunc(a.at.fn, b.at.fn); c != 0 {
				return c
			}
			return cmp.Compare(a.at.line, b.at.line)
		}
	}
	keep := map[*site]bool{}
	for t := 0; t < st.nType; t++ {
		slices.SortFunc(all, order(t))
		for _, s := range all[:min(len(all), m.topN)] {
			if s.values[t] > 0 {
				keep[s] = true
			}
		}
	}
	slices.SortFunc(all, order(st.rank))
	return slices.DeleteFunc(all, func(s *site) bool { return !keep[s] })
}

// siteName is "function:line", the readable and ID form of a site.
func (m *mapper) siteName(s *site) string {
	return m.ft.funcs[s.at.fn].key.name + ":" + strconv.FormatInt(s.at.line, 10)
}

// siteAttrs are a site's totals per sample type.
func (m *mapper) siteAttrs(s *site) []epg.Attr {
	var a []epg.Attr
	for t, name := range m.typeNames {
		a = append(a, epg.Attr{Key: "profile." + name, Value: epg.Int(s.values[t])})
	}
	return a
}

// objects adds an object node per allocation site, allocated by the
// site's frame.
func (m *mapper) objects(st *stats, sites []*site, ids map[int32]string) {
	for _, s := range sites {
		name := m.siteName(s)
		id := "object:" + m.id + ":" + name
		a := m.siteAttrs(s)
		a = append(a, epg.Attr{Key: "object.alloc_site", Value: epg.String(name)})
		if s.sizeN > 0 {
			a = append(a, epg.Attr{Key: "object.size", Value: epg.Int(s.sizeSum / s.sizeN)})
		}
		fr := m.ft.frame(s.at.fn, s.at.line)
		m.f.Nodes = append(m.f.Nodes, m.node(epg.Node{ID: id, Kind: epg.KindObject, Name: name,
			Attrs: epg.Attrs(epg.SortAttrs(a)), Loc: threads.Loc(&fr)}))
		m.f.Edges = append(m.f.Edges, epg.Edge{From: ids[s.at.fn], To: id, Kind: epg.EdgeAlloc})
	}
}

// locks adds a lock node per contention site. The site's frame holds the
// lock when the measured call is an Unlock (Go's mutex profile charges
// the delay to the release) and waits on it otherwise.
func (m *mapper) locks(st *stats, sites []*site, ids map[int32]string) {
	delay := -1
	for i, t := range m.p.SampleType[:len(m.typeNames)] {
		if t.Type == "delay" {
			delay = i
		}
	}
	for _, s := range sites {
		name := m.siteName(s)
		id := epg.LockNodeID(m.in.Scope(), "site:"+name)
		threads.AppendLock(m.f, threads.Lock{ID: id, Name: name, Kind: "contention site"})
		n := &m.f.Nodes[len(m.f.Nodes)-1]
		a := append(n.Attrs, m.siteAttrs(s)...)
		if delay >= 0 {
			if ns, ok := toNanos(s.values[delay], m.p.SampleType[delay].Unit); ok {
				a = append(a, epg.Attr{Key: "lock.delay_ns", Value: epg.Int(ns)})
			}
		}
		leaf := m.ft.funcs[s.leaf].key.name
		a = append(a, epg.Attr{Key: "lock.measured_call", Value: epg.String(leaf)})
		n.Attrs = epg.Attrs(epg.SortAttrs(a))
		fr := m.ft.frame(s.at.fn, s.at.line)
		n.Loc = threads.Loc(&fr)
		*n = m.node(*n)
		kind := epg.EdgeWaits
		if strings.Contains(leaf, "Unlock") || strings.HasSuffix(leaf, "unlock") {
			kind = epg.EdgeHolds
		}
		m.f.Edges = append(m.f.Edges, epg.Edge{From: ids[s.at.fn], To: id, Kind: kind})
	}
}
