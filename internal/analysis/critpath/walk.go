package critpath

// segment is a piece of the path in local indices.
type segment struct {
	v          int32
	start, end int64
}

// walk computes the critical path, iteratively (a trace can be deep).
// Each frame is a span being explained backwards from cursor down to the
// start of its window [lo, hi]: the latest child ending at or before the
// cursor blocked it; the gap between that child's end and the cursor is
// the span's own time; the walk descends into the child, then resumes
// the span from the child's start. Children ending after the cursor ran
// alongside a later blocking child and are passed over.
//
// It returns the segments in time order and the spans the walk entered,
// latest first.
func (t *tree) walk() ([]segment, []int32) {
	type frame struct {
		v      int32
		lo, hi int64 // the span's window, clipped to its parent's
		cursor int64
		pos    int32
	}
	var segs []segment
	entered := []int32{0}
	emit := func(v int32, s, e int64) {
		if e > s {
			segs = append(segs, segment{v, s, e})
		}
	}
	stack := []frame{{0, t.start[0], t.end[0], t.end[0], t.kidLo[0]}}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		pushed := false
		for !pushed && f.pos < t.kidHi[f.v] {
			c := t.order[f.pos]
			f.pos++
			cs, ce := t.clip(c, f.lo, f.hi)
			if ce <= cs || ce > f.cursor {
				continue
			}
			emit(f.v, ce, f.cursor)
			f.cursor = cs
			stack = append(stack, frame{c, cs, ce, ce, t.kidLo[c]})
			entered = append(entered, c)
			pushed = true
		}
		if !pushed {
			emit(f.v, f.lo, f.cursor)
			stack = stack[:len(stack)-1]
		}
	}
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}
	return segs, entered
}
