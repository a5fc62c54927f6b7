package lockgraph

import "slices"

// hotspots lists the locks that made threads wait (condition waits do
// not count), most waiting first: total wait, then number of waits, then
// threads still waiting; ties keep node-ID order.
func (a *analyzer) hotspots(opt Options) []Hotspot {
	var ls []*lockState
	for _, s := range a.locks {
		if s.waits > 0 {
			ls = append(ls, s)
		}
	}
	slices.SortStableFunc(ls, rank)
	out := make([]Hotspot, 0, len(ls))
	for _, s := range ls {
		h := Hotspot{Lock: s.node.ID, Name: displayName(s.node), Site: lockSite(s.node), Waits: s.waits,
			WaitNs: s.waitNs, MaxWaitNs: s.maxWait, Current: s.current}
		for _, w := range s.waiters {
			if w.Mode != modeCondition {
				h.Waiters += int(max(w.Threads, 1))
			}
		}
		hs := rankedHolders(s.holders)
		slices.SortStableFunc(hs, func(x, y Holder) int { return cmpDesc(x.BlockedNs, y.BlockedNs) })
		h.Holders, h.OmittedHolders = bound(hs, opt.MaxThreads)
		out = append(out, h)
	}
	return out
}
