package otlp

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// attrSorter sorts span attribute lists the way epg.SortAttrs does
// (stable by key, the first of equal keys kept) into a new slice. The
// spans of one request mostly share a handful of key sequences (roots,
// children, failures), so it remembers the permutation of the last few
// sequences it saw: the keys are interned, and comparing a sequence
// against a remembered one is a pointer check per key, where sorting
// moved 40-byte attributes through an insertion sort on every span.
type attrSorter struct {
	shapes [sortShapes]sortShape
	next   int
}

const sortShapes = 8

// sortShape is one remembered key sequence and, for each position of the
// sorted result, the index it comes from.
type sortShape struct {
	keys []string
	perm []int
}

// sorted returns attrs sorted in a new slice from alloc; attrs is left as
// it was.
func (s *attrSorter) sorted(attrs []epg.Attr, alloc func(n int) epg.Attrs) epg.Attrs {
	shape := s.lookup(attrs)
	out := alloc(len(shape.perm))
	for i, j := range shape.perm {
		out[i] = attrs[j]
	}
	return out
}

func (s *attrSorter) lookup(attrs []epg.Attr) *sortShape {
	for i := range s.shapes {
		if sh := &s.shapes[i]; sameKeys(sh.keys, attrs) {
			return sh
		}
	}
	sh := &s.shapes[s.next]
	s.next = (s.next + 1) % sortShapes
	sh.keys = sh.keys[:0]
	sh.perm = sh.perm[:0]
	for i, a := range attrs {
		sh.keys = append(sh.keys, a.Key)
		sh.perm = append(sh.perm, i)
	}
	slices.SortStableFunc(sh.perm, func(a, b int) int { return strings.Compare(attrs[a].Key, attrs[b].Key) })
	sh.perm = slices.CompactFunc(sh.perm, func(a, b int) bool { return attrs[a].Key == attrs[b].Key })
	return sh
}

func sameKeys(keys []string, attrs []epg.Attr) bool {
	if len(keys) != len(attrs) || keys == nil {
		return false
	}
	for i, k := range keys {
		if attrs[i].Key != k {
			return false
		}
	}
	return true
}
