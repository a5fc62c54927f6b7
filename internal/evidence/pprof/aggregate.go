package pprof

import (
	"context"

	"github.com/google/pprof/profile"
)

// stats is one pass over a profile's samples: flat and cumulative values
// per function and sample type, which kept functions call which, and the
// sites (allocation or contention) the mapping needs.
type stats struct {
	ft    *frameTable
	nType int
	// flat[f*nType+t] and cum[...] are function f's values for type t.
	flat, cum []int64
	// lineCum[f] is the line of f with the most cumulative value in the
	// ranking type, so a frame node points at its hottest line.
	lineCum map[funcLine]int64
	// calls holds caller<<32|callee for functions adjacent in a stack.
	calls map[uint64]struct{}
	// sites aggregates samples by their site (see siteOf), when wanted.
	sites map[funcLine]*site
	total []int64
	rank  int // the sample type that orders lines and sites
}

// funcLine is a line of a function.
type funcLine struct {
	fn   int32
	line int64
}

// site is the values of all samples whose site is one place.
type site struct {
	at     funcLine
	values []int64
	// leaf is the innermost frame of the first sample seen here: for a
	// contention site, the Lock or Unlock call that was measured.
	leaf int32
	// sizes sums the "bytes" numeric label times objects, to report a
	// mean object size where the profile records one.
	sizeSum, sizeN int64
}

// frameBuf is reused per sample to hold the flattened stack.
type frameBuf struct {
	fns   []int32
	lines []int64
	seen  []uint32 // seen[f] == stamp when f already counted in this sample
	stamp uint32
}

func aggregate(ctx context.Context, p *profile.Profile, ft *frameTable, nType, rank int, wantSites bool) (*stats, error) {
	st := &stats{ft: ft, nType: nType, lineCum: map[funcLine]int64{},
		calls: map[uint64]struct{}{}, total: make([]int64, nType), rank: rank}
	if wantSites {
		st.sites = map[funcLine]*site{}
	}
	var buf frameBuf
	for i, s := range p.Sample {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st.add(s, &buf)
	}
	return st, nil
}

func (st *stats) grow() {
	if need := len(st.ft.funcs) * st.nType; need > len(st.flat) {
		st.flat = append(st.flat, make([]int64, need-len(st.flat))...)
		st.cum = append(st.cum, make([]int64, need-len(st.cum))...)
	}
}

func (st *stats) add(s *profile.Sample, buf *frameBuf) {
	buf.fns, buf.lines = buf.fns[:0], buf.lines[:0]
	for _, loc := range s.Location {
		lf := st.ft.location(loc)
		buf.fns = append(buf.fns, lf.funcs...)
		buf.lines = append(buf.lines, lf.lines...)
	}
	st.grow()
	if n := len(st.ft.funcs); n > len(buf.seen) {
		buf.seen = append(buf.seen, make([]uint32, n-len(buf.seen))...)
	}
	buf.stamp++
	n := st.nType
	vals := s.Value
	if len(vals) > n {
		vals = vals[:n]
	}
	for t, v := range vals {
		st.total[t] += v
	}
	var rv int64
	if st.rank < len(vals) {
		rv = vals[st.rank]
	}
	for i, f := range buf.fns {
		if i == 0 {
			for t, v := range vals {
				st.flat[int(f)*n+t] += v
			}
		}
		if i > 0 && buf.fns[i] != buf.fns[i-1] {
			st.calls[uint64(uint32(f))<<32|uint64(uint32(buf.fns[i-1]))] = struct{}{}
		}
		if buf.seen[f] == buf.stamp {
			continue // recursion: count a function once per sample
		}
		buf.seen[f] = buf.stamp
		for t, v := range vals {
			st.cum[int(f)*n+t] += v
		}
		st.lineCum[funcLine{f, buf.lines[i]}] += rv
	}
	if st.sites != nil && len(buf.fns) > 0 {
		st.addSite(s, buf, vals)
	}
}

// siteOf picks the place a sample is attributed to: the innermost in-app
// frame (the program's own call to the allocator or the lock); without
// one, the caller of the innermost frame (for unsymbolized C++ the
// innermost frame is the allocator or lock routine itself); else the
// innermost frame.
func (st *stats) siteOf(buf *frameBuf) int {
	for i, f := range buf.fns {
		if st.ft.funcs[f].frame.InApp {
			return i
		}
	}
	if len(buf.fns) > 1 {
		return 1
	}
	return 0
}

func (st *stats) addSite(s *profile.Sample, buf *frameBuf, vals []int64) {
	i := st.siteOf(buf)
	at := funcLine{buf.fns[i], buf.lines[i]}
	se := st.sites[at]
	if se == nil {
		se = &site{at: at, values: make([]int64, st.nType), leaf: buf.fns[0]}
		st.sites[at] = se
	}
	for t, v := range vals {
		se.values[t] += v
	}
	if b, ok := s.NumLabel["bytes"]; ok && len(b) == 1 && b[0] > 0 {
		se.sizeSum += b[0]
		se.sizeN++
	}
}

// value returns function f's flat or cumulative value for type t.
func (st *stats) value(f int32, t int, cum bool) int64 {
	i := int(f)*st.nType + t
	if i >= len(st.flat) {
		return 0
	}
	if cum {
		return st.cum[i]
	}
	return st.flat[i]
}

// bestLines maps each function to its hottest line, computed once.
func (st *stats) bestLines() map[int32]int64 {
	best := make(map[int32]int64, len(st.ft.funcs))
	bestV := make(map[int32]int64, len(st.ft.funcs))
	for fl, v := range st.lineCum {
		if bv, ok := bestV[fl.fn]; !ok || v > bv || (v == bv && fl.line < best[fl.fn]) {
			best[fl.fn], bestV[fl.fn] = fl.line, v
		}
	}
	return best
}
