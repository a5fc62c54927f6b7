package otlp

import (
	"encoding/hex"
	"runtime"
	"strconv"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/async"
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
	d.jobs = make([]spanJob, 0, spans)
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
	if !d.spans(d.jobs) {
		return nil, Rejected{}, false
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

// spanJob is one Span message waiting to be decoded, with the resource
// and scope it belongs to.
type spanJob struct {
	b     []byte
	res   *resource
	scope string
}

// parallelSpans is how many spans each half of a request must have for
// the second half to be decoded on another goroutine: spans are
// independent, an SDK's default batch is 512 of them, and a goroutine
// costs about a microsecond against the two each span takes.
const parallelSpans = 128

// spans decodes the request's spans in order, the second half on another
// goroutine with its own decoder when the request is large enough. The
// halves' nodes and edges are joined in order, so the fragment is the
// one a single pass makes.
func (d *wireDecoder) spans(jobs []spanJob) bool {
	if len(jobs) < 2*parallelSpans || runtime.GOMAXPROCS(0) < 2 {
		return d.spanRange(jobs)
	}
	mid := len(jobs) / 2
	d2 := &wireDecoder{strs: make(map[string]string, 64),
		f: &epg.Fragment{Nodes: make([]epg.Node, 0, len(jobs)-mid), Edges: make([]epg.Edge, 0, len(jobs)-mid)}}
	// A panic in the second half (a decoder bug) comes back here, where
	// ingest turns it into an error instead of a crash.
	second := async.Go(func() bool { return d2.spanRange(jobs[mid:]) })
	ok := d.spanRange(jobs[:mid])
	if !second() || !ok {
		return false
	}
	d.f.Nodes = append(d.f.Nodes, d2.f.Nodes...)
	d.f.Edges = append(d.f.Edges, d2.f.Edges...)
	d.rej.merge(d2.rej)
	return true
}

func (d *wireDecoder) spanRange(jobs []spanJob) bool {
	for _, j := range jobs {
		if !d.span(j.b, j.res, j.scope) {
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
		if fl, _ := nextField(b); fl.num == 2 {
			d.jobs = append(d.jobs, spanJob{fl.b, res, scope})
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
