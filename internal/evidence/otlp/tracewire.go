package otlp

import (
	"encoding/hex"
	"math"
	"strconv"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
)

// tracesFromWire maps an OTLP/protobuf trace export request straight from
// its wire bytes into the fragment FromTraces makes of pdata's decode of
// the same bytes. pdata's decode builds an object per span, attribute and
// value (about 33 allocations per span) only for FromTraces to copy them
// out again; on the ingest path that was half the decode cost.
//
// It accepts only what it fully understands. A field number it does not
// know, a wrong wire type, an ID of the wrong length, a message field
// given twice (which protobuf merges), nesting deeper than maxValueDepth,
// or anything malformed makes it return ok = false, and the caller
// decodes through pdata, which also reports the error with its position.
// TestWireMatchesPdata and FuzzWireMatchesPdata hold the two paths equal.
func tracesFromWire(data []byte, source string) (f *epg.Fragment, rej Rejected, ok bool) {
	d := wireDecoder{strs: make(map[string]string, 64)}
	d.f = &epg.Fragment{Source: source, Format: "otlp-traces"}
	spans := countSpans(data)
	d.f.Nodes = make([]epg.Node, 0, spans)
	d.f.Edges = make([]epg.Edge, 0, spans)
	for len(data) > 0 {
		fl, n := nextField(data)
		if n < 0 || fl.num != 1 || fl.typ != protowire.BytesType {
			return nil, Rejected{}, false
		}
		if !d.resourceSpans(fl.b) {
			return nil, Rejected{}, false
		}
		data = data[n:]
	}
	if len(d.f.Edges) == 0 {
		d.f.Edges = nil // as FromTraces leaves it
	}
	return d.f, d.rej, true
}

// countSpans counts the spans of a request for the node slice's capacity;
// it stops quietly at anything malformed (the decode proper reports it).
func countSpans(data []byte) int {
	n := 0
	eachField(data, 1, func(rs []byte) {
		eachField(rs, 2, func(ss []byte) { eachField(ss, 2, func([]byte) { n++ }) })
	})
	return n
}

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

// resourceSpans decodes one ResourceSpans: its resource first, wherever
// it stands, since every span carries it.
func (d *wireDecoder) resourceSpans(b []byte) bool {
	var res resource
	seen := false
	for rest := b; len(rest) > 0; {
		fl, n := nextField(rest)
		if n < 0 {
			return false
		}
		switch {
		case fl.num == 1 && fl.typ == protowire.BytesType:
			if seen {
				return false
			}
			seen = true
			var ok bool
			if res, ok = d.resource(fl.b); !ok {
				return false
			}
		case fl.num == 2 && fl.typ == protowire.BytesType, fl.num == 3 && fl.typ == protowire.BytesType:
		default:
			return false
		}
		rest = rest[n:]
	}
	for ; len(b) > 0; b = b[skip(b):] {
		if fl, _ := nextField(b); fl.num == 2 && !d.scopeSpans(fl.b, &res) {
			return false
		}
	}
	return true
}

// skip returns the length of b's first field, already known to be valid.
func skip(b []byte) int {
	_, n := nextField(b)
	return n
}

func (d *wireDecoder) resource(b []byte) (resource, bool) {
	var res resource
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return res, false
		}
		switch {
		case fl.num == 1 && fl.typ == protowire.BytesType:
			a, ok := d.keyValue(fl.b, nil)
			if !ok {
				return res, false
			}
			if a.key == "service.name" {
				res.service = a.str
				break
			}
			a.key = "resource." + a.key
			res.attrs = appendKV(res.attrs, a)
		case fl.num == 2 && fl.typ == protowire.VarintType:
		default:
			return res, false
		}
		b = b[n:]
	}
	res.attrs = epg.SortAttrs(res.attrs)
	return res, true
}

// scopeSpans decodes one ScopeSpans, its scope first.
func (d *wireDecoder) scopeSpans(b []byte, res *resource) bool {
	scope := ""
	seen := false
	for rest := b; len(rest) > 0; {
		fl, n := nextField(rest)
		if n < 0 || fl.typ != protowire.BytesType {
			return false
		}
		switch fl.num {
		case 1:
			if seen {
				return false
			}
			seen = true
			var ok bool
			if scope, ok = d.scope(fl.b); !ok {
				return false
			}
		case 2, 3:
		default:
			return false
		}
		rest = rest[n:]
	}
	for ; len(b) > 0; b = b[skip(b):] {
		if fl, _ := nextField(b); fl.num == 2 && !d.span(fl.b, res, scope) {
			return false
		}
	}
	return true
}

// scope decodes an InstrumentationScope; only its name is mapped, but
// its attributes must be valid for pdata to accept the request.
func (d *wireDecoder) scope(b []byte) (name string, ok bool) {
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return "", false
		}
		switch {
		case fl.num == 1 && fl.typ == protowire.BytesType:
			name = d.str(fl.b)
		case fl.num == 2 && fl.typ == protowire.BytesType, fl.num == 4 && fl.typ == protowire.VarintType:
		case fl.num == 3 && fl.typ == protowire.BytesType:
			if _, ok := d.keyValue(fl.b, nil); !ok {
				return "", false
			}
		default:
			return "", false
		}
		b = b[n:]
	}
	return name, true
}

// wireSpan is what a Span message says, gathered before mapping because
// its fields may come in any order.
type wireSpan struct {
	tid, sid, parent []byte
	name             string
	kind             int32
	start, end       uint64
	statusMsg        string
	statusCode       int32
	statusSeen       bool
}

// idField checks an ID's length as pdata does: empty, or exactly size.
func idField(fl field, size int) ([]byte, bool) {
	if fl.typ != protowire.BytesType || len(fl.b) != 0 && len(fl.b) != size {
		return nil, false
	}
	return fl.b, true
}

func (d *wireDecoder) span(b []byte, res *resource, scope string) bool {
	var s wireSpan
	d.attrs, d.events, d.links = d.attrs[:0], d.events[:0], d.links[:0]
	d.ordinal = 0
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 || !d.spanField(&s, fl) {
			return false
		}
		b = b[n:]
	}
	for _, l := range d.links {
		if !validLink(d, l) {
			return false
		}
	}
	if isZero(s.tid) || isZero(s.sid) {
		for _, ev := range d.events {
			if _, _, ok := d.event(ev); !ok {
				return false
			}
		}
		d.rej.add("span %q has an empty trace or span ID", s.name)
		return true
	}
	return d.mapSpan(&s, res, scope)
}

func (d *wireDecoder) spanField(s *wireSpan, fl field) bool {
	var ok bool
	bytesType, varint := fl.typ == protowire.BytesType, fl.typ == protowire.VarintType
	switch fl.num {
	case 1:
		s.tid, ok = idField(fl, 16)
		return ok
	case 2:
		s.sid, ok = idField(fl, 8)
		return ok
	case 4:
		s.parent, ok = idField(fl, 8)
		return ok
	case 3:
		return bytesType
	case 16:
		return fl.typ == protowire.Fixed32Type
	case 5:
		s.name = d.str(fl.b)
		return bytesType
	case 6:
		s.kind = int32(fl.x)
		return varint
	case 7:
		s.start = fl.x
		return fl.typ == protowire.Fixed64Type
	case 8:
		s.end = fl.x
		return fl.typ == protowire.Fixed64Type
	case 9:
		if !bytesType {
			return false
		}
		if d.ordinal == len(d.slots) {
			d.slots = append(d.slots, internSlot{})
		}
		a, ok := d.keyValue(fl.b, &d.slots[d.ordinal])
		d.ordinal++
		d.attrs = appendKV(d.attrs, a)
		return ok
	case 10, 12, 14:
		return varint
	case 11:
		d.events = append(d.events, fl.b)
		return bytesType
	case 13:
		d.links = append(d.links, fl.b)
		return bytesType
	case 15:
		if !bytesType || s.statusSeen {
			return false
		}
		s.statusSeen = true
		return d.status(s, fl.b)
	}
	return false
}

func (d *wireDecoder) status(s *wireSpan, b []byte) bool {
	for len(b) > 0 {
		fl, n := nextField(b)
		switch {
		case n < 0:
			return false
		case fl.num == 2 && fl.typ == protowire.BytesType:
			s.statusMsg = d.str(fl.b)
		case fl.num == 3 && fl.typ == protowire.VarintType:
			s.statusCode = int32(fl.x)
		default:
			return false
		}
		b = b[n:]
	}
	return true
}

func isZero(id []byte) bool {
	for _, c := range id {
		if c != 0 {
			return false
		}
	}
	return true
}

// spanIDs returns "span:<trace>:<span>" in one allocation, with the two
// hex IDs as substrings of it.
func spanIDs(tid, sid []byte) (node, traceID, spanID string) {
	var buf [5 + 32 + 1 + 16]byte
	copy(buf[:], "span:")
	hex.Encode(buf[5:37], tid)
	buf[37] = ':'
	hex.Encode(buf[38:], sid)
	node = string(buf[:])
	return node, node[5:37], node[38:]
}

func (d *wireDecoder) mapSpan(s *wireSpan, res *resource, scope string) bool {
	id, traceID, spanID := spanIDs(s.tid, s.sid)
	attrs := append(d.attrs, res.attrs...)
	attrs = append(attrs,
		epg.Attr{Key: epg.AttrSpanKind, Value: epg.String(spanKind(ptrace.SpanKind(s.kind)))},
		epg.Attr{Key: epg.AttrStatusCode, Value: epg.String(statusCode(ptrace.StatusCode(s.statusCode)))})
	if s.statusMsg != "" {
		attrs = evidence.AppendClipped(attrs, epg.AttrStatusMessage, s.statusMsg)
	}
	if scope != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrScopeName, Value: epg.String(scope)})
	}
	if len(s.parent) > 0 && !isZero(s.parent) {
		from, _, p := spanIDs(s.tid, s.parent)
		attrs = append(attrs, epg.Attr{Key: epg.AttrParentSpanID, Value: epg.String(p)})
		d.f.Edges = append(d.f.Edges, epg.Edge{From: from, To: id, Kind: epg.EdgeCall})
	}
	d.attrs = attrs
	d.f.Nodes = append(d.f.Nodes, epg.Node{ID: id, Kind: epg.KindSpan, Name: s.name, Attrs: d.sorter.sorted(attrs, d.carve),
		Start: int64(s.start), End: int64(s.end), Service: res.service,
		Trace: epg.TraceRef{TraceID: traceID, SpanID: spanID}})
	for _, l := range d.links {
		if from, ok := linkFrom(l); ok {
			d.f.Edges = append(d.f.Edges, epg.Edge{From: from, To: id, Kind: epg.EdgeFollowsFrom})
		}
	}
	for i, ev := range d.events {
		if !d.mapEvent(ev, id, i, traceID, spanID, res.service) {
			return false
		}
	}
	return true
}

// validLink checks a Link the way pdata's decode would.
func validLink(d *wireDecoder, b []byte) bool {
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return false
		}
		var ok bool
		switch fl.num {
		case 1:
			_, ok = idField(fl, 16)
		case 2:
			_, ok = idField(fl, 8)
		case 3:
			ok = fl.typ == protowire.BytesType
		case 4:
			ok = fl.typ == protowire.BytesType
			if ok {
				_, ok = d.keyValue(fl.b, nil)
			}
		case 5:
			ok = fl.typ == protowire.VarintType
		case 6:
			ok = fl.typ == protowire.Fixed32Type
		}
		if !ok {
			return false
		}
		b = b[n:]
	}
	return true
}

// linkFrom returns the node ID a valid link points at, if it names both
// IDs.
func linkFrom(b []byte) (string, bool) {
	var tid, sid []byte
	for ; len(b) > 0; b = b[skip(b):] {
		switch fl, _ := nextField(b); fl.num {
		case 1:
			tid = fl.b
		case 2:
			sid = fl.b
		}
	}
	if isZero(tid) || isZero(sid) {
		return "", false
	}
	id, _, _ := spanIDs(tid, sid)
	return id, true
}

// event decodes a SpanEvent's name, time and attributes.
func (d *wireDecoder) event(b []byte) (ev wireEvent, attrs []kv, ok bool) {
	for len(b) > 0 {
		fl, n := nextField(b)
		if n < 0 {
			return ev, nil, false
		}
		switch {
		case fl.num == 1 && fl.typ == protowire.Fixed64Type:
			ev.time = int64(fl.x)
		case fl.num == 2 && fl.typ == protowire.BytesType:
			ev.name = d.str(fl.b)
		case fl.num == 3 && fl.typ == protowire.BytesType:
			a, ok := d.keyValue(fl.b, nil)
			if !ok {
				return ev, nil, false
			}
			attrs = append(attrs, a)
		case fl.num == 4 && fl.typ == protowire.VarintType:
		default:
			return ev, nil, false
		}
		b = b[n:]
	}
	return ev, attrs, true
}

type wireEvent struct {
	name string
	time int64
}

// mapEvent is addSpanEvent for a wire SpanEvent.
func (d *wireDecoder) mapEvent(b []byte, spanNode string, idx int, traceID, spanID, service string) bool {
	ev, kvs, ok := d.event(b)
	if !ok {
		return false
	}
	id := spanNode + "/event/" + strconv.Itoa(idx)
	ref := epg.TraceRef{TraceID: traceID, SpanID: spanID}
	if ev.name == "exception" {
		for _, a := range kvs {
			// kv.str holds only strings here; pdata would render others
			// with AsString, which the wire path leaves to pdata.
			switch a.key {
			case "exception.type", "exception.message", "exception.stacktrace":
				if !a.isStr && !a.val.IsEmpty() {
					return false
				}
			}
		}
		rec := exceptionRecordOf(kvs)
		rec.ID, rec.Time, rec.Service, rec.Trace = id, ev.time, service, ref
		exception.Append(d.f, rec)
		d.f.Edges = append(d.f.Edges, epg.Edge{From: spanNode, To: id, Kind: epg.EdgeEmits})
		return true
	}
	attrs := make(epg.Attrs, 0, len(kvs)+1)
	for _, a := range kvs {
		attrs = appendKV(attrs, a)
	}
	attrs = epg.Attrs(epg.SortAttrs(attrs)).Set(epg.AttrEventType, epg.String(epg.EventLog))
	d.f.Nodes = append(d.f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Name: ev.name, Attrs: attrs,
		Start: ev.time, End: ev.time, Service: service, Trace: ref})
	d.f.Edges = append(d.f.Edges, epg.Edge{From: spanNode, To: id, Kind: epg.EdgeEmits})
	return true
}
