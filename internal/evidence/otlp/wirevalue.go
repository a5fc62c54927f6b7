package otlp

// The protobuf wire layer of tracesFromWire: walking fields, interning
// repeated strings, and OTLP's KeyValue/AnyValue attribute encoding.

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// eachField calls fn with the bytes of every length-delimited field
// numbered want in b, stopping quietly at anything malformed.
func eachField(b []byte, want protowire.Number, fn func([]byte)) {
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return
		}
		if fl.num == want && fl.typ == protowire.BytesType {
			fn(fl.b)
		}
		b = b[n:]
	}
}

// field is one decoded protobuf field: b holds a length-delimited
// payload, x a varint or fixed-width value.
type field struct {
	num protowire.Number
	typ protowire.Type
	b   []byte
	x   uint64
}

// nextField consumes one field of b, returning n < 0 on malformed input
// and on groups (no OTLP message has one).
func nextField(b []byte) (field, int) {
	// Fast path: a one-byte tag with a one-byte length or varint, which
	// is nearly every field of a span.
	if len(b) >= 2 && b[0] < 0x80 && b[0] >= 8 && b[1] < 0x80 {
		num, typ := protowire.Number(b[0]>>3), protowire.Type(b[0]&7)
		switch typ {
		case protowire.BytesType:
			if end := 2 + int(b[1]); end <= len(b) {
				return field{num: num, typ: typ, b: b[2:end]}, end
			}
			return field{}, -1
		case protowire.VarintType:
			return field{num: num, typ: typ, x: uint64(b[1])}, 2
		}
	}
	num, typ, tn := protowire.ConsumeTag(b)
	if tn < 0 {
		return field{}, -1
	}
	fl := field{num: num, typ: typ}
	var m int
	switch typ {
	case protowire.VarintType:
		fl.x, m = protowire.ConsumeVarint(b[tn:])
	case protowire.Fixed64Type:
		fl.x, m = protowire.ConsumeFixed64(b[tn:])
	case protowire.Fixed32Type:
		var v uint32
		v, m = protowire.ConsumeFixed32(b[tn:])
		fl.x = uint64(v)
	case protowire.BytesType:
		fl.b, m = protowire.ConsumeBytes(b[tn:])
	default:
		return field{}, -1
	}
	if m < 0 {
		return field{}, -1
	}
	return fl, tn + m
}

// wireDecoder holds one request's state.
type wireDecoder struct {
	f   *epg.Fragment
	rej Rejected
	// strs interns short strings: attribute keys and values such as
	// methods, routes and hosts repeat on every span of a request.
	strs map[string]string
	// attrs collects one span's attributes before they are sorted.
	attrs []epg.Attr
	// events and links of the span being decoded, as wire payloads.
	events, links [][]byte
	sorter        attrSorter
	// slots are the interning slots of span attribute positions; ordinal
	// is the position of the span's next attribute.
	slots   []internSlot
	ordinal int
	// slab is where span attribute lists are carved from, many spans per
	// allocation; each list is capped so that growing one copies it.
	slab []epg.Attr
	// jobs are the request's spans, gathered while its resources and
	// scopes are read and decoded after.
	jobs []spanJob
}

// attrSlab is how many attributes one slab allocation holds.
const attrSlab = 2048

// carve returns a capped slice of n attributes from the slab.
func (d *wireDecoder) carve(n int) epg.Attrs {
	if n > attrSlab/4 {
		return make(epg.Attrs, n)
	}
	if len(d.slab)+n > cap(d.slab) {
		d.slab = make([]epg.Attr, 0, attrSlab)
	}
	start := len(d.slab)
	d.slab = d.slab[:start+n]
	return d.slab[start : start+n : start+n]
}

// Interning bounds: values longer than this are rarely repeated, and the
// table stops growing at maxInterned entries.
const (
	maxInternLen = 64
	maxInterned  = 4096
)

// internSlot remembers the key and string value last seen at one
// attribute position of a span: consecutive spans mostly repeat them, and
// comparing bytes is cheaper than hashing them into strs.
type internSlot struct{ key, val string }

// strAt interns b, trying the remembered string *at first; at may be
// nil.
func (d *wireDecoder) strAt(b []byte, at *string) string {
	if at == nil {
		return d.str(b)
	}
	if string(b) == *at {
		return *at
	}
	*at = d.str(b)
	return *at
}

func (d *wireDecoder) str(b []byte) string {
	if len(b) > maxInternLen {
		return string(b)
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strs) < maxInterned {
		d.strs[s] = s
	}
	return s
}

// kv is one decoded KeyValue: val is the EPG value; a string value is
// also in str, unclipped, so that a top-level one can be clipped with its
// length recorded.
type kv struct {
	key   string
	val   epg.Value
	str   string
	isStr bool
}

// appendKV is appendAttr for a decoded KeyValue.
func appendKV(attrs []epg.Attr, a kv) []epg.Attr {
	if a.isStr {
		return evidence.AppendClipped(attrs, a.key, a.str)
	}
	return append(attrs, epg.Attr{Key: a.key, Value: a.val})
}

// keyValue decodes a KeyValue. A value given twice is left to pdata,
// which merges the two.
func (d *wireDecoder) keyValue(b []byte, slot *internSlot) (a kv, ok bool) {
	var keyAt, valAt *string
	if slot != nil {
		keyAt, valAt = &slot.key, &slot.val
	}
	seen := false
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 || fl.typ != protowire.BytesType {
			return kv{}, false
		}
		switch fl.num {
		case 1:
			a.key = d.strAt(fl.b, keyAt)
		case 2:
			if seen {
				return kv{}, false
			}
			seen = true
			if a.val, a.str, a.isStr, ok = d.anyValue(fl.b, 0, valAt); !ok {
				return kv{}, false
			}
		default:
			return kv{}, false
		}
		b = b[n:]
	}
	return a, true
}

// anyValue decodes an AnyValue as value() maps pdata's: the last field
// set wins, as in protobuf's oneof. Strings nested in arrays and maps are
// clipped here; a top-level one is returned whole in s.
func (d *wireDecoder) anyValue(b []byte, depth int, at *string) (v epg.Value, s string, isStr, ok bool) {
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return v, "", false, false
		}
		isStr = false
		switch {
		case fl.num == 1 && fl.typ == protowire.BytesType:
			s, isStr = d.strAt(fl.b, at), true
			v = clipped(s)
		case fl.num == 2 && fl.typ == protowire.VarintType:
			v = epg.Bool(fl.x != 0)
		case fl.num == 3 && fl.typ == protowire.VarintType:
			v = epg.Int(int64(fl.x))
		case fl.num == 4 && fl.typ == protowire.Fixed64Type:
			v = epg.Float(math.Float64frombits(fl.x))
		case fl.num == 5 && fl.typ == protowire.BytesType:
			if v, ok = d.arrayValue(fl.b, depth); !ok {
				return v, "", false, false
			}
		case fl.num == 6 && fl.typ == protowire.BytesType:
			if v, ok = d.mapValue(fl.b, depth); !ok {
				return v, "", false, false
			}
		case fl.num == 7 && fl.typ == protowire.BytesType:
			v = epg.Bytes(fl.b)
		default:
			return v, "", false, false
		}
		b = b[n:]
	}
	if !isStr {
		s = ""
	}
	return v, s, isStr, true
}

func (d *wireDecoder) arrayValue(b []byte, depth int) (epg.Value, bool) {
	if depth+1 >= maxValueDepth {
		return epg.Value{}, false
	}
	vs := []epg.Value{}
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 || fl.num != 1 || fl.typ != protowire.BytesType {
			return epg.Value{}, false
		}
		v, _, _, ok := d.anyValue(fl.b, depth+1, nil)
		if !ok {
			return epg.Value{}, false
		}
		vs = append(vs, v)
		b = b[n:]
	}
	return epg.Array(vs...), true
}

func (d *wireDecoder) mapValue(b []byte, depth int) (epg.Value, bool) {
	if depth+1 >= maxValueDepth {
		return epg.Value{}, false
	}
	var as []epg.Attr
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 || fl.num != 1 || fl.typ != protowire.BytesType {
			return epg.Value{}, false
		}
		var a epg.Attr
		seen := false
		for e := fl.b; len(e) > 0; {
			f2, m := nextField(e)
			if m < 0 || f2.typ != protowire.BytesType {
				return epg.Value{}, false
			}
			switch f2.num {
			case 1:
				a.Key = d.str(f2.b)
			case 2:
				if seen {
					return epg.Value{}, false
				}
				seen = true
				var ok bool
				if a.Value, _, _, ok = d.anyValue(f2.b, depth+1, nil); !ok {
					return epg.Value{}, false
				}
			default:
				return epg.Value{}, false
			}
			e = e[m:]
		}
		as = append(as, a)
		b = b[n:]
	}
	return epg.Map(as...), true
}
