package jaeger

import (
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
)

// Field keys that describe an exception: OpenTelemetry's and the
// OpenTracing error-log convention's. They are consumed into the
// exception record rather than copied as attributes.
var exceptionKeys = map[string]bool{
	"event": true, epg.AttrExceptionType: true, epg.AttrExceptionMsg: true, epg.AttrExceptionStack: true,
	"exception.escaped": true, "error.kind": true, "message": true, "stack": true,
}

// addLog adds span log i as an event node emitted by span.
func (c *converter) addLog(span *epg.Node, i int, l *logRecord, p *evidence.ObjPos) error {
	ts, ok := micros(l.Timestamp)
	if !ok {
		return evidence.Errorf(c.in, p.Offset(c.in, "", []byte(strconv.FormatInt(l.Timestamp, 10))),
			"span %s: log %d: timestamp %d out of range", span.Trace.SpanID, i, l.Timestamp)
	}
	fields := make([]epg.Attr, 0, len(l.Fields)+1)
	var err error
	for j := range l.Fields {
		if fields, err = appendKV(fields, "", &l.Fields[j]); err != nil {
			return evidence.Errorf(c.in, p.Offset(c.in, "", l.Fields[j].Value), "span %s: log %d: %v", span.Trace.SpanID, i, err)
		}
	}
	id := span.ID + "/log/" + strconv.Itoa(i)
	c.f.Edges = append(c.f.Edges, epg.Edge{From: span.ID, To: id, Kind: epg.EdgeEmits})
	if isException(fields) {
		rec := exceptionRecord(fields)
		rec.ID, rec.Time, rec.Service, rec.Trace = id, ts, span.Service, span.Trace
		exception.Append(c.f, rec)
		return nil
	}
	name := "log"
	if v, ok := tagValue(fields, "event"); ok && v.AsString() != "" {
		name = v.AsString()
	}
	fields = append(fields, epg.Attr{Key: epg.AttrEventType, Value: epg.String(epg.EventLog)})
	// Put event.type first so that a field of that name cannot shadow it.
	fields = append(fields[len(fields)-1:], fields[:len(fields)-1]...)
	c.f.Nodes = append(c.f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Name: evidence.Clip(name), Attrs: epg.SortAttrs(fields),
		Start: ts, End: ts, Service: span.Service, Trace: span.Trace})
	return nil
}

// isException reports whether a log's fields record an exception.
func isException(fields []epg.Attr) bool {
	ev := ""
	if v, ok := tagValue(fields, "event"); ok {
		ev = strings.ToLower(v.AsString())
	}
	if ev == "exception" {
		return true
	}
	for _, f := range fields {
		switch {
		case strings.HasPrefix(f.Key, "exception."), f.Key == "error.object", f.Key == "error.kind":
			return true
		case ev == "error" && (f.Key == "stack" || f.Key == "message"):
			return true
		}
	}
	return false
}

// exceptionRecord maps exception fields, preferring OpenTelemetry's names
// to OpenTracing's.
func exceptionRecord(fields []epg.Attr) exception.Record {
	str := func(keys ...string) string {
		for _, k := range keys {
			if v, ok := tagValue(fields, k); ok && v.AsString() != "" {
				return v.AsString()
			}
		}
		return ""
	}
	rec := exception.Record{
		Type:       str(epg.AttrExceptionType, "error.kind"),
		Message:    str(epg.AttrExceptionMsg, "message", "error.object"),
		Stacktrace: str(epg.AttrExceptionStack, "stack"),
	}
	if v, ok := tagValue(fields, "exception.escaped"); ok {
		rec.Escaped = v.BoolVal() || strings.EqualFold(v.AsString(), "true")
	}
	var rest epg.Attrs
	for _, f := range fields {
		if !exceptionKeys[f.Key] {
			rest = append(rest, f)
		}
	}
	rec.Attrs = epg.SortAttrs(rest)
	return rec
}
