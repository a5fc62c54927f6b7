package evidence

import "bytes"

// ObjPos is where one JSON object starts and where each of its direct
// members' values starts. encoding/json keeps no positions, so the decoder
// scans the (already validated) bytes once to point errors at the span
// that caused them.
type ObjPos struct {
	Start  int64
	Fields []FieldPos
}

// FieldPos is where one member's value starts.
type FieldPos struct {
	Key []byte // raw key bytes, escapes not decoded
	Off int64
}

// Field returns the offset of the member key's value, or the object's
// start when the member is absent.
func (o *ObjPos) Field(key string) int64 {
	for _, f := range o.Fields {
		if string(f.Key) == key {
			return f.Off
		}
	}
	return o.Start
}

// Find returns the offset of needle inside the object (searching from its
// start), or the object's start.
func (o *ObjPos) Find(data, needle []byte) int64 {
	if o.Start < 0 || o.Start > int64(len(data)) || len(needle) == 0 {
		return o.Start
	}
	if i := bytes.Index(data[o.Start:], needle); i >= 0 {
		return o.Start + int64(i)
	}
	return o.Start
}

// Level is one open container during the scan.
type Level struct {
	Obj     bool
	WantKey bool
	Key     []byte
	Rec     int // index of the recorded object, or -1
}

// ObjectsAt returns the positions of the objects for which match, given
// the stack of open containers, is true, in document order. data must be
// valid JSON.
func ObjectsAt(data []byte, match func(stack []Level) bool) []ObjPos {
	var out []ObjPos
	var stack []Level
	member := func(off int) {
		if n := len(stack); n > 0 && stack[n-1].Obj && stack[n-1].Rec >= 0 {
			r := &out[stack[n-1].Rec]
			r.Fields = append(r.Fields, FieldPos{Key: stack[n-1].Key, Off: int64(off)})
		}
	}
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case ' ', '\t', '\r', '\n', ':':
		case ',':
			if n := len(stack); n > 0 && stack[n-1].Obj {
				stack[n-1].WantKey = true
			}
		case '"':
			j := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].Obj && stack[n-1].WantKey {
				stack[n-1].Key = data[i+1 : max(i+1, j-1)]
				stack[n-1].WantKey = false
			} else {
				member(i)
			}
			i = j - 1
		case '{', '[':
			member(i)
			lv := Level{Obj: c == '{', WantKey: c == '{', Rec: -1}
			if c == '{' && match(stack) {
				lv.Rec = len(out)
				out = append(out, ObjPos{Start: int64(i)})
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

// Offset returns the offset of member key of the object, or of needle
// searched from the object's start when key is empty; when the object's
// position is unknown (Start < 0) it searches the whole input.
func (o *ObjPos) Offset(in *Input, key string, needle []byte) int64 {
	if o.Start >= 0 {
		if key != "" {
			return o.Field(key)
		}
		return o.Find(in.Data, needle)
	}
	return OffsetOf(in, needle)
}
