package jaeger

import "bytes"

// objPos is where one JSON object starts and where each of its direct
// members' values starts. encoding/json keeps no positions, so the decoder
// scans the (already validated) bytes once to point errors at the span
// that caused them.
type objPos struct {
	start  int64
	fields []fieldPos
}

type fieldPos struct {
	key []byte // raw key bytes, escapes not decoded
	off int64
}

// field returns the offset of the member key's value, or the object's
// start when the member is absent.
func (o *objPos) field(key string) int64 {
	for _, f := range o.fields {
		if string(f.key) == key {
			return f.off
		}
	}
	return o.start
}

// find returns the offset of needle inside the object (searching from its
// start), or the object's start.
func (o *objPos) find(data, needle []byte) int64 {
	if o.start < 0 || o.start > int64(len(data)) || len(needle) == 0 {
		return o.start
	}
	if i := bytes.Index(data[o.start:], needle); i >= 0 {
		return o.start + int64(i)
	}
	return o.start
}

// level is one open container during the scan.
type level struct {
	obj     bool
	wantKey bool
	key     []byte
	rec     int // index of the recorded object, or -1
}

// objectsAt returns the positions of the objects for which match, given
// the stack of open containers, is true, in document order. data must be
// valid JSON.
func objectsAt(data []byte, match func(stack []level) bool) []objPos {
	var out []objPos
	var stack []level
	member := func(off int) {
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].rec >= 0 {
			r := &out[stack[n-1].rec]
			r.fields = append(r.fields, fieldPos{key: stack[n-1].key, off: int64(off)})
		}
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\r', '\n', ':':
		case ',':
			if n := len(stack); n > 0 && stack[n-1].obj {
				stack[n-1].wantKey = true
			}
		case '"':
			j := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
				stack[n-1].key = data[i+1 : max(i+1, j-1)]
				stack[n-1].wantKey = false
			} else {
				member(i)
			}
			i = j - 1
		case '{', '[':
			member(i)
			lv := level{obj: c == '{', wantKey: c == '{', rec: -1}
			if c == '{' && match(stack) {
				lv.rec = len(out)
				out = append(out, objPos{start: int64(i)})
			}
			stack = append(stack, lv)
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		default:
			member(i)
			for i+1 < len(data) && !endsLiteral(data[i+1]) {
				i++
			}
		}
	}
	return out
}

// stringEnd returns the offset just past the string starting at data[i].
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

func endsLiteral(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}':
		return true
	}
	return false
}
