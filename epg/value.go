package epg

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
)

// ValueKind is the type of a [Value].
type ValueKind uint8

// Value kinds.
const (
	ValueEmpty ValueKind = iota
	ValueString
	ValueInt
	ValueFloat
	ValueBool
	ValueBytes
	ValueArray
	ValueMap
)

// Value is a typed attribute value. The zero Value is empty.
type Value struct {
	kind ValueKind
	num  uint64 // int, float bits or bool
	str  string // string or bytes
	// comp holds arrays and maps out of line: they are rare, and a Value
	// is copied into every attribute of every node, so every byte here is
	// paid millions of times.
	comp *composite
}

type composite struct {
	arr []Value
	kv  []Attr
}

// String returns a string value.
func String(s string) Value { return Value{kind: ValueString, str: s} }

// Int returns an integer value.
func Int(i int64) Value { return Value{kind: ValueInt, num: uint64(i)} }

// Float returns a floating-point value.
func Float(f float64) Value { return Value{kind: ValueFloat, num: math.Float64bits(f)} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	v := Value{kind: ValueBool}
	if b {
		v.num = 1
	}
	return v
}

// Bytes returns a byte-string value.
func Bytes(b []byte) Value { return Value{kind: ValueBytes, str: string(b)} }

// Array returns an array value.
func Array(vs ...Value) Value { return Value{kind: ValueArray, comp: &composite{arr: vs}} }

// Map returns a map value; attrs are sorted by key.
func Map(attrs ...Attr) Value {
	return Value{kind: ValueMap, comp: &composite{kv: SortAttrs(attrs)}}
}

// Kind reports the value's type.
func (v Value) Kind() ValueKind { return v.kind }

// IsEmpty reports whether v holds nothing.
func (v Value) IsEmpty() bool { return v.kind == ValueEmpty }

// Str returns the string of a string value, else "".
func (v Value) Str() string {
	if v.kind == ValueString {
		return v.str
	}
	return ""
}

// IntVal returns the integer of an int value, else 0.
func (v Value) IntVal() int64 {
	if v.kind == ValueInt {
		return int64(v.num)
	}
	return 0
}

// FloatVal returns the number of a float or int value, else 0.
func (v Value) FloatVal() float64 {
	switch v.kind {
	case ValueFloat:
		return math.Float64frombits(v.num)
	case ValueInt:
		return float64(int64(v.num))
	}
	return 0
}

// BoolVal returns the boolean of a bool value, else false.
func (v Value) BoolVal() bool { return v.kind == ValueBool && v.num == 1 }

// BytesVal returns the bytes of a bytes value, else nil.
func (v Value) BytesVal() []byte {
	if v.kind == ValueBytes {
		return []byte(v.str)
	}
	return nil
}

// ArrayVal returns the elements of an array value.
func (v Value) ArrayVal() []Value {
	if v.comp == nil {
		return nil
	}
	return v.comp.arr
}

// MapVal returns the entries of a map value, sorted by key.
func (v Value) MapVal() []Attr {
	if v.comp == nil {
		return nil
	}
	return v.comp.kv
}

// AsString renders any value as text, the way a person would read it.
func (v Value) AsString() string {
	switch v.kind {
	case ValueString:
		return v.str
	case ValueInt:
		return strconv.FormatInt(int64(v.num), 10)
	case ValueFloat:
		return strconv.FormatFloat(v.FloatVal(), 'g', -1, 64)
	case ValueBool:
		return strconv.FormatBool(v.BoolVal())
	case ValueBytes:
		return base64.StdEncoding.EncodeToString([]byte(v.str))
	case ValueArray, ValueMap:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return ""
}

// Equal reports whether two values have the same type and content.
func (v Value) Equal(o Value) bool {
	va, oa, vk, ok := v.ArrayVal(), o.ArrayVal(), v.MapVal(), o.MapVal()
	if v.kind != o.kind || v.num != o.num || v.str != o.str || len(va) != len(oa) || len(vk) != len(ok) {
		return false
	}
	for i := range va {
		if !va[i].Equal(oa[i]) {
			return false
		}
	}
	for i := range vk {
		if vk[i].Key != ok[i].Key || !vk[i].Value.Equal(ok[i].Value) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the value as its natural JSON type; bytes are base64.
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case ValueString, ValueBytes:
		return json.Marshal(v.AsString())
	case ValueInt:
		return strconv.AppendInt(nil, int64(v.num), 10), nil
	case ValueFloat:
		f := v.FloatVal()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return json.Marshal(strconv.FormatFloat(f, 'g', -1, 64))
		}
		return json.Marshal(f)
	case ValueBool:
		return strconv.AppendBool(nil, v.BoolVal()), nil
	case ValueArray:
		if v.ArrayVal() == nil {
			return []byte("[]"), nil
		}
		return json.Marshal(v.ArrayVal())
	case ValueMap:
		return marshalAttrs(v.MapVal())
	}
	return []byte("null"), nil
}

// Attr is a key and a typed value.
type Attr struct {
	Key   string
	Value Value
}

// SortAttrs sorts attrs by key in place, keeping the first of duplicate
// keys, and returns the shortened slice.
func SortAttrs(attrs []Attr) []Attr {
	if len(attrs) < 2 {
		return attrs
	}
	if len(attrs) <= 32 {
		// Attribute lists are short: a stable insertion sort on the keys
		// beats the generic sort's indirect comparisons several times over.
		for i := 1; i < len(attrs); i++ {
			for j := i; j > 0 && attrs[j].Key < attrs[j-1].Key; j-- {
				attrs[j], attrs[j-1] = attrs[j-1], attrs[j]
			}
		}
	} else {
		slices.SortStableFunc(attrs, func(a, b Attr) int { return strings.Compare(a.Key, b.Key) })
	}
	return slices.CompactFunc(attrs, func(a, b Attr) bool { return a.Key == b.Key })
}

// Attrs is a key-sorted attribute list.
type Attrs []Attr

// Get returns the value of key and whether it is present.
func (as Attrs) Get(key string) (Value, bool) {
	i := as.search(key)
	if i < len(as) && as[i].Key == key {
		return as[i].Value, true
	}
	return Value{}, false
}

// search returns the index of the first attr whose key is not less than
// key (a hand-written binary search: it is on every analysis's hot path).
func (as Attrs) search(key string) int {
	lo, hi := 0, len(as)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if as[m].Key < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// Str returns the string form of key's value, or "".
func (as Attrs) Str(key string) string {
	v, _ := as.Get(key)
	return v.AsString()
}

// Set returns as with key set to v, keeping the list sorted.
func (as Attrs) Set(key string, v Value) Attrs {
	i := as.search(key)
	if i < len(as) && as[i].Key == key {
		as[i].Value = v
		return as
	}
	return slices.Insert(as, i, Attr{Key: key, Value: v})
}

// MarshalJSON writes the attributes as a JSON object.
func (as Attrs) MarshalJSON() ([]byte, error) { return marshalAttrs(as) }

func marshalAttrs(as []Attr) ([]byte, error) {
	buf := []byte{'{'}
	for i, a := range as {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(a.Key)
		buf = append(buf, k...)
		buf = append(buf, ':')
		v, err := a.Value.MarshalJSON()
		if err != nil {
			return nil, err
		}
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}
