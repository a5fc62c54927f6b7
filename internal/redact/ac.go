package redact

// acMatcher finds every occurrence of a set of keywords in one pass,
// ignoring ASCII case. It is an Aho–Corasick automaton compiled into a
// dense transition table over byte classes: bytes that occur in no
// keyword share class 0, and upper- and lower-case letters share a class,
// so the table stays small enough for the cache and the inner loop is two
// loads per byte. Regular expressions with a leading \b or (?i) cost far
// more per byte; they are never run over whole values.
type acMatcher struct {
	class  [256]uint8
	nclass int
	// next is indexed by premultiplied state (state*nclass) plus class and
	// holds the premultiplied target state, negated when the target has
	// outputs, so the common "no keyword ends here" case is one compare.
	next []int32
	// outStart[state]..outStart[state+1] indexes outList: the keywords
	// ending at state, including those ending at its suffixes.
	outStart []int32
	outList  []int32
	lens     []int
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// newACMatcher compiles keywords; keyword i is reported as i.
func newACMatcher(keywords []string) *acMatcher {
	m := &acMatcher{lens: make([]int, len(keywords))}
	// Byte classes.
	n := 1
	for _, kw := range keywords {
		for i := 0; i < len(kw); i++ {
			c := lowerASCII(kw[i])
			if m.class[c] == 0 {
				m.class[c] = uint8(n)
				n++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		m.class[c] = m.class[c+'a'-'A']
	}
	m.nclass = n
	// Trie.
	type tstate struct {
		child map[uint8]int
		fail  int
		out   []int32
	}
	states := []tstate{{child: map[uint8]int{}}}
	for k, kw := range keywords {
		m.lens[k] = len(kw)
		s := 0
		for i := 0; i < len(kw); i++ {
			c := m.class[kw[i]]
			t, ok := states[s].child[c]
			if !ok {
				t = len(states)
				states = append(states, tstate{child: map[uint8]int{}})
				states[s].child[c] = t
			}
			s = t
		}
		states[s].out = append(states[s].out, int32(k))
	}
	// Failure links, breadth first, then the dense table.
	delta := make([]int, len(states)*n)
	queue := []int{}
	for c := 1; c < n; c++ {
		if t, ok := states[0].child[uint8(c)]; ok {
			delta[c] = t
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := states[s].fail
		states[s].out = append(states[s].out, states[f].out...)
		for c := 0; c < n; c++ {
			if t, ok := states[s].child[uint8(c)]; ok && c != 0 {
				states[t].fail = delta[f*n+c]
				delta[s*n+c] = t
				queue = append(queue, t)
			} else {
				delta[s*n+c] = delta[f*n+c]
			}
		}
	}
	m.next = make([]int32, len(delta))
	for i, t := range delta {
		v := int32(t * n)
		if len(states[t].out) > 0 {
			v = -v
		}
		m.next[i] = v
	}
	m.outStart = make([]int32, len(states)+1)
	for s := range states {
		m.outStart[s+1] = m.outStart[s] + int32(len(states[s].out))
		m.outList = append(m.outList, states[s].out...)
	}
	return m
}

// scan calls hit(keyword, end) for every keyword occurrence ending at end
// (exclusive). It stops early when hit returns a position beyond the
// current one, resuming the scan there with the automaton reset: that is
// how a detector that consumed a long span (a PEM block) skips it.
func (m *acMatcher) scan(s string, hit func(kw int, end int) int) {
	st := int32(0)
	next, class := m.next, &m.class
	for i := 0; i < len(s); i++ {
		st = next[int(st)+int(class[s[i]])]
		if st >= 0 {
			continue
		}
		st = -st
		state := int(st) / m.nclass
		resume := i + 1
		for _, k := range m.outList[m.outStart[state]:m.outStart[state+1]] {
			if r := hit(int(k), i+1); r > resume {
				resume = r
			}
		}
		if resume > i+1 {
			i = resume - 1
			st = 0
		}
	}
}
