package stacktrace

// maxTotalFrames bounds the frames kept by one parse across all traces of
// a chain, so that reconstructing Java's "... N more" for many nested
// exceptions cannot multiply the input.
const maxTotalFrames = 1 << 16

// limits counts what one parse has kept.
type limits struct {
	frames int
}

// full reports whether no further frame can be kept anywhere.
func (lim *limits) full() bool { return lim.frames >= maxTotalFrames }

// add appends f to t unless a limit is hit, in which case t is marked
// Truncated.
func (lim *limits) add(t *Trace, f Frame) {
	if len(t.Frames) >= MaxFrames || lim.full() {
		t.Truncated = true
		return
	}
	lim.frames++
	t.Frames = append(t.Frames, f)
}

// keepNewest bounds a list of traces printed oldest first while it is
// being built, since only the newest MaxCauseDepth will be kept.
func keepNewest(ts []*Trace) []*Trace {
	if len(ts) < 2*MaxCauseDepth {
		return ts
	}
	return append(ts[:0], ts[len(ts)-MaxCauseDepth:]...)
}

// chainOldestFirst links traces printed oldest first (Python, Go errors)
// so that the last one printed is returned and each Cause points to the
// one printed before it. Only the newest MaxCauseDepth are kept.
func chainOldestFirst(ts []*Trace) *Trace {
	if len(ts) == 0 {
		return nil
	}
	if len(ts) > MaxCauseDepth {
		ts = ts[len(ts)-MaxCauseDepth:]
	}
	for i := len(ts) - 1; i > 0; i-- {
		ts[i].Cause = ts[i-1]
	}
	return ts[len(ts)-1]
}
