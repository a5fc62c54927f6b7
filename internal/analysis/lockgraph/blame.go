package lockgraph

import (
	"math"
	"slices"

	"github.com/tagdebug/tag/epg"
)

// Attributes of the execution-trace decoder's happens_before edges
// between goroutines: how often the source woke the target, and through
// what.
const (
	attrUnblockCount   = "unblock.count"
	attrUnblockReason  = "unblock.reason"
	attrUnblockReasons = "unblock.reasons"
	reasonSync         = "sync"
)

// blame says how much waiting each holder of s caused.
//
// A current holder (a dump) made every current waiter wait, and has held
// the lock at least as long as the longest of them has waited.
//
// Holds deduced from a recording split each waiter's time on the lock
// among the lock's holders, in proportion to how often each woke that
// waiter through a sync primitive (the happens_before edges count
// wake-ups per pair of goroutines, not per lock, so a pair that meets on
// two locks blurs them), else in proportion to how often each released
// the lock. Waiting the lock node counts beyond its listed waiters (a
// decoder past its thread limit) is split by releases.
func (a *analyzer) blame(s *lockState) {
	blameCurrent(s)
	var recorded []*holderAt
	for i := range s.holders {
		if !s.holders[i].Current {
			recorded = append(recorded, &s.holders[i])
		}
	}
	if len(recorded) == 0 {
		return
	}
	shares := make([]float64, len(recorded))
	var listed int64
	for _, w := range s.waiters {
		if w.Mode != modeCondition && w.WaitNs > 0 {
			listed += w.WaitNs
			a.split(recorded, shares, w.t, float64(w.WaitNs))
		}
	}
	if rest := s.waitNs - listed; rest > 0 {
		a.split(recorded, shares, -1, float64(rest))
	}
	for i, h := range recorded {
		h.BlockedNs = int64(math.Round(shares[i]))
	}
}

func blameCurrent(s *lockState) {
	var nowNs, nowMax int64
	for _, w := range s.waiters {
		if w.Current && w.Mode != modeCondition {
			nowNs += w.WaitNs
			nowMax = max(nowMax, w.WaitNs)
		}
	}
	for i := range s.holders {
		if h := &s.holders[i]; h.Current {
			h.BlockedNs, h.HeldAtLeastNs = nowNs-ownWait(s, h.t), nowMax
		}
	}
}

// split adds ns of waiter w's waiting (w < 0: of unknown waiters) to the
// holders' shares, weighted by wake-ups of w, else by releases. A thread
// does not make itself wait.
func (a *analyzer) split(hs []*holderAt, shares []float64, w int32, ns float64) {
	weights := make([]int64, len(hs))
	var sum int64
	for i, h := range hs {
		if h.t != w && w >= 0 {
			weights[i] = a.wakeups(h.t, w)
			sum += weights[i]
		}
	}
	if sum == 0 {
		for i, h := range hs {
			if h.t != w {
				weights[i] = h.Releases
				sum += weights[i]
			}
		}
	}
	if sum == 0 {
		return
	}
	for i := range hs {
		shares[i] += ns * float64(weights[i]) / float64(sum)
	}
}

// wakeups returns how many times thread h woke thread w, when the
// happens_before edge between them says it did so through a sync
// primitive (a mutex or RWMutex handing over).
func (a *analyzer) wakeups(h, w int32) int64 {
	for _, e := range a.g.Out(h) {
		ed := a.g.Edge(e)
		if _, to := a.g.Ends(e); to != w || ed.Kind != epg.EdgeHappensBefore {
			continue
		}
		if ed.Attrs.Str(attrUnblockReason) == reasonSync || hasString(ed.Attrs, attrUnblockReasons, reasonSync) {
			return intAttr(ed.Attrs, attrUnblockCount)
		}
	}
	return 0
}

func hasString(attrs epg.Attrs, key, s string) bool {
	v, _ := attrs.Get(key)
	return slices.ContainsFunc(v.ArrayVal(), func(x epg.Value) bool { return x.Str() == s })
}

// ownWait is the current wait of thread t itself on s: a thread waiting
// for a lock it holds does not block itself any longer than it waits.
func ownWait(s *lockState, t int32) int64 {
	for _, w := range s.waiters {
		if w.t == t && w.Current && w.Mode != modeCondition {
			return w.WaitNs
		}
	}
	return 0
}
