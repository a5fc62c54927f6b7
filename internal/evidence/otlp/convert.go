package otlp

import (
	"encoding/binary"
	"encoding/hex"
	"hash/fnv"
	"strconv"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
)

// Rejected counts records dropped from an otherwise good request, for
// OTLP's partial-success response.
type Rejected struct {
	Count int
	// Reason describes the first rejection.
	Reason string
}

func (r *Rejected) add(format string, args ...any) {
	if r.Count == 0 {
		r.Reason = sprintf(format, args...)
	}
	r.Count++
}

// merge adds the rejections of a later part of the same request.
func (r *Rejected) merge(later Rejected) {
	if r.Count == 0 {
		r.Reason = later.Reason
	}
	r.Count += later.Count
}

// FromTraces maps decoded OTLP traces into a fragment. Spans without a
// valid trace or span ID are rejected and counted, not fatal.
func FromTraces(td ptrace.Traces, source string) (*epg.Fragment, Rejected) {
	f := &epg.Fragment{Source: source, Format: "otlp-traces"}
	f.Nodes = make([]epg.Node, 0, td.SpanCount())
	var rej Rejected
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		rs := rss.At(i)
		res := resourceInfo(rs.Resource())
		sss := rs.ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			ss := sss.At(j)
			scope := ss.Scope().Name()
			spans := ss.Spans()
			for k := 0; k < spans.Len(); k++ {
				addSpan(f, spans.At(k), &res, scope, &rej)
			}
		}
	}
	return f, rej
}

type resource struct {
	service string
	attrs   epg.Attrs
}

func resourceInfo(r pcommon.Resource) resource {
	var res resource
	r.Attributes().Range(func(k string, v pcommon.Value) bool {
		if k == "service.name" {
			// Carried by Node.Service; repeating it on every node would
			// only cost bytes.
			res.service = v.Str()
			return true
		}
		res.attrs = appendAttr(res.attrs, "resource."+k, v)
		return true
	})
	res.attrs = epg.SortAttrs(res.attrs)
	return res
}

func addSpan(f *epg.Fragment, s ptrace.Span, res *resource, scope string, rej *Rejected) {
	tid, sid := s.TraceID(), s.SpanID()
	if tid.IsEmpty() || sid.IsEmpty() {
		rej.add("span %q has an empty trace or span ID", s.Name())
		return
	}
	traceID, spanID := hex.EncodeToString(tid[:]), hex.EncodeToString(sid[:])
	id := epg.SpanNodeID(traceID, spanID)
	attrs := make(epg.Attrs, 0, s.Attributes().Len()+len(res.attrs)+5)
	s.Attributes().Range(func(k string, v pcommon.Value) bool {
		attrs = appendAttr(attrs, k, v)
		return true
	})
	attrs = append(attrs, res.attrs...)
	attrs = append(attrs,
		epg.Attr{Key: epg.AttrSpanKind, Value: epg.String(spanKind(s.Kind()))},
		epg.Attr{Key: epg.AttrStatusCode, Value: epg.String(statusCode(s.Status().Code()))})
	if msg := s.Status().Message(); msg != "" {
		attrs = evidence.AppendClipped(attrs, epg.AttrStatusMessage, msg)
	}
	if scope != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrScopeName, Value: epg.String(scope)})
	}
	parent := s.ParentSpanID()
	if !parent.IsEmpty() {
		p := hex.EncodeToString(parent[:])
		attrs = append(attrs, epg.Attr{Key: epg.AttrParentSpanID, Value: epg.String(p)})
		f.Edges = append(f.Edges, epg.Edge{From: epg.SpanNodeID(traceID, p), To: id, Kind: epg.EdgeCall})
	}
	f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindSpan, Name: s.Name(), Attrs: epg.SortAttrs(attrs),
		Start: int64(s.StartTimestamp()), End: int64(s.EndTimestamp()), Service: res.service,
		Trace: epg.TraceRef{TraceID: traceID, SpanID: spanID}})
	links := s.Links()
	for i := 0; i < links.Len(); i++ {
		l := links.At(i)
		lt, ls := l.TraceID(), l.SpanID()
		if lt.IsEmpty() || ls.IsEmpty() {
			continue
		}
		f.Edges = append(f.Edges, epg.Edge{From: epg.SpanNodeID(hex.EncodeToString(lt[:]), hex.EncodeToString(ls[:])),
			To: id, Kind: epg.EdgeFollowsFrom})
	}
	events := s.Events()
	for i := 0; i < events.Len(); i++ {
		addSpanEvent(f, events.At(i), id, i, traceID, spanID, res.service)
	}
}

func addSpanEvent(f *epg.Fragment, ev ptrace.SpanEvent, spanNode string, idx int, traceID, spanID, service string) {
	id := spanNode + "/event/" + strconv.Itoa(idx)
	ref := epg.TraceRef{TraceID: traceID, SpanID: spanID}
	if ev.Name() == "exception" {
		rec := exceptionRecord(ev.Attributes())
		rec.ID, rec.Time, rec.Service, rec.Trace = id, int64(ev.Timestamp()), service, ref
		exception.Append(f, rec)
		f.Edges = append(f.Edges, epg.Edge{From: spanNode, To: id, Kind: epg.EdgeEmits})
		return
	}
	attrs := mapAttrs(ev.Attributes(), 1)
	attrs = attrs.Set(epg.AttrEventType, epg.String(epg.EventLog))
	f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Name: ev.Name(), Attrs: attrs,
		Start: int64(ev.Timestamp()), End: int64(ev.Timestamp()), Service: service, Trace: ref})
	f.Edges = append(f.Edges, epg.Edge{From: spanNode, To: id, Kind: epg.EdgeEmits})
}

// exceptionRecord pulls OpenTelemetry's exception.* semantic conventions
// out of an attribute map; the remaining attributes ride along.
func exceptionRecord(m pcommon.Map) exception.Record {
	kvs := make([]kv, 0, m.Len())
	m.Range(func(k string, v pcommon.Value) bool {
		a := kv{key: k, str: v.AsString(), isStr: v.Type() == pcommon.ValueTypeStr}
		if !a.isStr {
			a.val = value(v, 0)
		}
		kvs = append(kvs, a)
		return true
	})
	return exceptionRecordOf(kvs)
}

// exceptionRecordOf is exceptionRecord over decoded attributes, in their
// order; kv.str holds each value as pdata's AsString renders it.
func exceptionRecordOf(kvs []kv) exception.Record {
	var r exception.Record
	for _, a := range kvs {
		switch a.key {
		case "exception.type":
			r.Type = a.str
		case "exception.message":
			r.Message, _ = evidence.ClipString(a.str)
		case "exception.stacktrace":
			r.Stacktrace, _ = evidence.ClipString(a.str)
		case "exception.escaped":
			r.Escaped = a.val.BoolVal()
		default:
			r.Attrs = appendKV(r.Attrs, a)
		}
	}
	r.Attrs = epg.SortAttrs(r.Attrs)
	return r
}

// FromLogs maps decoded OTLP logs into a fragment.
func FromLogs(ld plog.Logs, source string) (*epg.Fragment, Rejected) {
	f := &epg.Fragment{Source: source, Format: "otlp-logs"}
	var rej Rejected
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		res := resourceInfo(rl.Resource())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			recs := sl.LogRecords()
			for k := 0; k < recs.Len(); k++ {
				addLog(f, recs.At(k), &res, sl.Scope().Name())
			}
		}
	}
	return f, rej
}

func addLog(f *epg.Fragment, lr plog.LogRecord, res *resource, scope string) {
	ts := int64(lr.Timestamp())
	if ts == 0 {
		ts = int64(lr.ObservedTimestamp())
	}
	var ref epg.TraceRef
	if t := lr.TraceID(); !t.IsEmpty() {
		ref.TraceID = hex.EncodeToString(t[:])
	}
	if s := lr.SpanID(); !s.IsEmpty() && ref.TraceID != "" {
		ref.SpanID = hex.EncodeToString(s[:])
	}
	body := lr.Body().AsString()
	id := logID(ts, ref, lr.SeverityNumber(), body)
	attrs := mapAttrs(lr.Attributes(), 0)
	attrs = append(attrs, res.attrs...)
	if lr.SeverityText() != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSeverity, Value: epg.String(lr.SeverityText())})
	}
	if lr.SeverityNumber() != 0 {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSeverityNumber, Value: epg.Int(int64(lr.SeverityNumber()))})
	}
	if lr.Body().Type() != pcommon.ValueTypeEmpty {
		attrs = append(attrs, epg.Attr{Key: "log.body", Value: value(lr.Body(), 0)})
	}
	if scope != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrScopeName, Value: epg.String(scope)})
	}
	if en := lr.EventName(); en != "" {
		attrs = append(attrs, epg.Attr{Key: "event.name", Value: epg.String(en)})
	}
	if hasException(lr.Attributes()) {
		rec := exceptionRecord(lr.Attributes())
		rec.ID, rec.Time, rec.Service, rec.Trace = id, ts, res.service, ref
		rec.Attrs = epg.SortAttrs(append(rec.Attrs, attrsWithout(attrs, lr.Attributes())...))
		exception.Append(f, rec)
		return
	}
	attrs = append(attrs, epg.Attr{Key: epg.AttrEventType, Value: epg.String(epg.EventLog)})
	name, _ := evidence.ClipString(body)
	if len(name) > 200 {
		name = name[:200]
	}
	f.Nodes = append(f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Name: name, Attrs: epg.SortAttrs(attrs),
		Start: ts, End: ts, Service: res.service, Trace: ref})
}

func hasException(m pcommon.Map) bool {
	_, t := m.Get("exception.type")
	_, s := m.Get("exception.stacktrace")
	return t || s
}

// attrsWithout returns the attrs that did not come from m (resource,
// severity, body): the exception record already holds m's.
func attrsWithout(attrs epg.Attrs, m pcommon.Map) epg.Attrs {
	var out epg.Attrs
	for _, a := range attrs {
		if _, ok := m.Get(a.Key); !ok {
			out = append(out, a)
		}
	}
	return out
}

// logID derives a stable ID from a log record's content, so ingesting the
// same export twice merges rather than duplicates.
func logID(ts int64, ref epg.TraceRef, sev plog.SeverityNumber, body string) string {
	h := fnv.New64a()
	var b [12]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(ts))
	binary.LittleEndian.PutUint32(b[8:], uint32(sev))
	h.Write(b[:])
	h.Write([]byte(ref.TraceID))
	h.Write([]byte(ref.SpanID))
	h.Write([]byte(body))
	return "log:" + strconv.FormatUint(h.Sum64(), 16)
}

func mapAttrs(m pcommon.Map, extra int) epg.Attrs {
	attrs := make(epg.Attrs, 0, m.Len()+extra)
	m.Range(func(k string, v pcommon.Value) bool {
		attrs = appendAttr(attrs, k, v)
		return true
	})
	return epg.SortAttrs(attrs)
}

// maxValueDepth bounds nested array/map values.
const maxValueDepth = 32

func value(v pcommon.Value, depth int) epg.Value {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return clipped(v.Str())
	case pcommon.ValueTypeInt:
		return epg.Int(v.Int())
	case pcommon.ValueTypeDouble:
		return epg.Float(v.Double())
	case pcommon.ValueTypeBool:
		return epg.Bool(v.Bool())
	case pcommon.ValueTypeBytes:
		return epg.Bytes(v.Bytes().AsRaw())
	case pcommon.ValueTypeSlice:
		if depth >= maxValueDepth {
			return epg.String("<nested too deep>")
		}
		s := v.Slice()
		vs := make([]epg.Value, s.Len())
		for i := range vs {
			vs[i] = value(s.At(i), depth+1)
		}
		return epg.Array(vs...)
	case pcommon.ValueTypeMap:
		if depth >= maxValueDepth {
			return epg.String("<nested too deep>")
		}
		var as []epg.Attr
		v.Map().Range(func(k string, e pcommon.Value) bool {
			as = append(as, epg.Attr{Key: k, Value: value(e, depth+1)})
			return true
		})
		return epg.Map(as...)
	}
	return epg.Value{}
}

// appendAttr appends one attribute; a top-level string that is too long is
// clipped with its original length recorded (evidence.AppendClipped).
func appendAttr(attrs []epg.Attr, key string, v pcommon.Value) []epg.Attr {
	if v.Type() == pcommon.ValueTypeStr {
		return evidence.AppendClipped(attrs, key, v.Str())
	}
	return append(attrs, epg.Attr{Key: key, Value: value(v, 0)})
}

// clipped clips a string nested inside an array or map value, where there
// is no sibling key to record the length under, and marks it in place.
func clipped(s string) epg.Value {
	c, cut := evidence.ClipString(s)
	if cut {
		c += "…[clipped]"
	}
	return epg.String(c)
}

func spanKind(k ptrace.SpanKind) string {
	switch k {
	case ptrace.SpanKindServer:
		return "server"
	case ptrace.SpanKindClient:
		return "client"
	case ptrace.SpanKindProducer:
		return "producer"
	case ptrace.SpanKindConsumer:
		return "consumer"
	case ptrace.SpanKindInternal:
		return "internal"
	}
	return "unspecified"
}

func statusCode(c ptrace.StatusCode) string {
	switch c {
	case ptrace.StatusCodeError:
		return "error"
	case ptrace.StatusCodeOk:
		return "ok"
	}
	return "unset"
}
