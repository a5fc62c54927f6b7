package crashtext

import (
	"strings"
)

// line is one line of the input and its byte offset.
type line struct {
	text string
	off  int64
}

// splitLines splits text into lines, dropping a trailing "\r".
func splitLines(text string) []line {
	ls := make([]line, 0, strings.Count(text, "\n")+1)
	for off := 0; off <= len(text); {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			if off < len(text) {
				ls = append(ls, line{strings.TrimSuffix(text[off:], "\r"), int64(off)})
			}
			break
		}
		ls = append(ls, line{strings.TrimSuffix(text[off:off+end], "\r"), int64(off)})
		off += end + 1
	}
	return ls
}

// Languages of a segment, as far as segmentation can tell.
const (
	segPython = "python"
	segAt     = "at" // Java or JavaScript: "at" frame lines
)

// segment is the lines [start, end) holding one exception and its chain.
type segment struct {
	start, end int
	kind       string
	// thread is the thread Java names in `Exception in thread "main"`.
	thread string
	// strong marks a segment only a runtime's uncaught-exception printer
	// writes: Java's "Exception in thread", a Python traceback, Node's
	// throw-site preamble or version trailer.
	strong bool
	// uncaught marks output printed because nothing caught the
	// exception (Java's "Exception in thread", Node's trailer).
	uncaught bool
	// runtime is Node's "Node.js v20.1.0" trailer, without "Node.js ".
	runtime string
}

// junkError is a line found where a frame should be.
type junkError struct{ line int }

// headerSearch bounds how far above a frame run its header is looked
// for; a longer multi-line message loses its header.
const headerSearch = 32

// segments finds each exception in ls. A Python exception starts at a
// "Traceback" line that no chain separator precedes; a Java or V8 one at
// the header above a run of "at" lines, unless that header continues a
// chain ("Caused by:", "Suppressed:", "[cause]:", or indented inside an
// enclosing error). Each runs to the start of the next.
func segments(ls []line) ([]segment, *junkError) {
	var segs []segment
	cur := -1 // index in segs of the segment being extended
	for i := 0; i < len(ls); i++ {
		l := ls[i].text
		ind, rest := indentOf(l)
		switch {
		case strings.HasPrefix(rest, "Traceback (most recent call last):"):
			if !afterChainSeparator(ls, i) || cur < 0 {
				segs = append(segs, segment{start: i, kind: segPython, strong: true})
				cur = len(segs) - 1
			}
		case ind > 0 && isAtFrame(rest) && !(i > 0 && continuesRun(ls[i-1].text)):
			if i > 0 && isPyFileLine(ls[i-1].text) {
				continue // a Python traceback's source line
			}
			s, ok, junk := atRunStart(ls, i, cur >= 0)
			if junk != nil {
				return nil, junk
			}
			if ok {
				segs = append(segs, s)
				cur = len(segs) - 1
			}
		case ind == 0 && strings.HasPrefix(l, "Node.js v") && cur >= 0:
			segs[cur].runtime = strings.TrimPrefix(l, "Node.js ")
			segs[cur].uncaught, segs[cur].strong = true, true
		}
	}
	for k := range segs {
		segs[k].end = len(ls)
		if k+1 < len(segs) {
			segs[k].end = segs[k+1].start
		}
	}
	return segs, nil
}

// afterChainSeparator reports whether the last non-blank line above i
// says the traceback at i continues a chain.
func afterChainSeparator(ls []line, i int) bool {
	for j := i - 1; j >= 0; j-- {
		t := strings.TrimSpace(ls[j].text)
		if t == "" {
			continue
		}
		return strings.HasPrefix(t, "During handling of the above exception") ||
			strings.HasPrefix(t, "The above exception was the direct cause")
	}
	return false
}

// continuesRun reports whether a frame at the next line continues the
// run this line belongs to: a frame, or an elision marker.
func continuesRun(l string) bool {
	ind, rest := indentOf(l)
	if ind == 0 {
		return false
	}
	return isAtFrame(rest) || strings.HasPrefix(rest, "... ")
}

// atRunStart decides whether the run of "at" frames starting at line i
// begins a new exception, and where it starts. inSegment says whether an
// exception is already open.
func atRunStart(ls []line, i int, inSegment bool) (segment, bool, *junkError) {
	for j := i - 1; j >= 0 && i-j <= headerSearch; j-- {
		ind, rest := indentOf(ls[j].text)
		switch {
		case continuesChain(rest):
			return segment{}, false, nil
		case strings.HasPrefix(ls[j].text, `Exception in thread "`):
			return segment{start: j, kind: segAt, thread: threadName(ls[j].text), strong: true, uncaught: true}, true, nil
		case isHeader(rest):
			if ind > 0 && inSegment {
				return segment{}, false, nil // an error nested in another's properties
			}
			s := segment{start: j, kind: segAt}
			if p := nodePreamble(ls, j); p >= 0 {
				s.start, s.strong = p, true
			}
			return s, true, nil
		case ind > 0 && isAtFrame(rest):
			// The frames of an earlier exception, then text that is not a
			// header. One such line between two runs is a corrupted
			// frame; more is interleaved output before a bare stack.
			if j == i-2 && inSegment && strings.TrimSpace(ls[i-1].text) != "" {
				return segment{}, false, &junkError{line: i - 1}
			}
			return segment{start: i, kind: segAt}, true, nil
		}
	}
	return segment{start: i, kind: segAt}, true, nil
}

// continuesChain reports a header that belongs to an enclosing
// exception.
func continuesChain(rest string) bool {
	return strings.HasPrefix(rest, "Caused by: ") || strings.HasPrefix(rest, "Suppressed: ") ||
		strings.HasPrefix(rest, "[cause]: ")
}

// threadName reads the name from `Exception in thread "name" Type: msg`.
func threadName(l string) string {
	rest := strings.TrimPrefix(l, `Exception in thread "`)
	if i := strings.Index(rest, `" `); i >= 0 {
		return rest[:i]
	}
	return ""
}

// nodePreamble returns the index of the "file:line" line of the throw
// site Node prints above an uncaught error's header, or -1:
//
//	/srv/app.js:12
//	    throw new Error("boom");
//	    ^
//	(blank)
//	Error: boom
func nodePreamble(ls []line, header int) int {
	loc := header - 4
	if loc < 0 || strings.TrimSpace(ls[header-1].text) != "" || !isCaretLine(ls[header-2].text) {
		return -1
	}
	l := ls[loc].text
	i := strings.LastIndexByte(l, ':')
	if i <= 0 || !isDigits(l[i+1:]) || l[0] == ' ' || l[0] == '\t' {
		return -1
	}
	return loc
}

func isCaretLine(l string) bool {
	t := strings.TrimSpace(l)
	return t != "" && strings.Trim(t, "^") == ""
}
