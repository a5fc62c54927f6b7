package zipkin

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/exception"
)

// annotation adds annotation j of span n as an event node the span emits.
func (c *converter) annotation(r *rec, n *epg.Node, j int) error {
	a := &r.s.Annotations[j]
	ts, ok := micros(a.Timestamp)
	if !ok {
		return evidence.Errorf(c.in, r.pos.Offset(c.in, "", []byte(strconv.FormatInt(a.Timestamp, 10))),
			"span %s: annotation %d: timestamp %d out of range", r.s.ID, j, a.Timestamp)
	}
	id := n.ID + "/annotation/" + strconv.Itoa(j)
	c.f.Edges = append(c.f.Edges, epg.Edge{From: n.ID, To: id, Kind: epg.EdgeEmits})
	// A server half shares its span ID with the client half; leaving the
	// span ID off its events keeps the builder from also tying them to the
	// client half.
	ref := n.Trace
	if r.server {
		ref.SpanID = ""
	}
	var extra []epg.Attr
	if r.offset != 0 && ts != 0 {
		extra = append(extra, epg.Attr{Key: AttrSkewCorrectedStart, Value: epg.Int(ts + r.offset)})
	}
	name, attrs := otelEvent(a.Value)
	if name == epg.EventException {
		rec := exceptionRecord(attrs)
		rec.ID, rec.Time, rec.Service, rec.Trace = id, ts, n.Service, ref
		rec.Attrs = epg.SortAttrs(append(extra, rec.Attrs...))
		exception.Append(c.f, rec)
		return nil
	}
	attrs = append(append([]epg.Attr{{Key: epg.AttrEventType, Value: epg.String(epg.EventLog)}}, extra...), attrs...)
	c.f.Nodes = append(c.f.Nodes, epg.Node{ID: id, Kind: epg.KindEvent, Name: evidence.Clip(name), Attrs: epg.SortAttrs(attrs),
		Start: ts, End: ts, Service: n.Service, Trace: ref})
	return nil
}

// otelEvent reads the OpenTelemetry Zipkin exporter's encoding of a span
// event with attributes, {"<name>": {"<key>": value, ...}}. Any other
// value is the event's name.
func otelEvent(v string) (string, []epg.Attr) {
	if !strings.HasPrefix(v, `{"`) {
		return v, nil
	}
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(v), &m); err != nil || len(m) != 1 {
		return v, nil
	}
	for name, kv := range m {
		attrs := make([]epg.Attr, 0, len(kv))
		for k, raw := range kv {
			attrs = append(attrs, epg.Attr{Key: k, Value: jsonValue(raw)})
		}
		return name, epg.SortAttrs(attrs)
	}
	return v, nil
}

// jsonValue types a JSON scalar; anything else keeps its JSON text.
func jsonValue(raw json.RawMessage) epg.Value {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return epg.String("")
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return epg.String(evidence.Clip(s))
		}
	case 't', 'f':
		return epg.Bool(raw[0] == 't')
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return epg.Int(i)
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
			return epg.Float(f)
		}
	}
	return epg.String(evidence.Clip(string(raw)))
}

func exceptionRecord(attrs []epg.Attr) exception.Record {
	var rec exception.Record
	var rest []epg.Attr
	for _, a := range attrs {
		switch a.Key {
		case epg.AttrExceptionType:
			rec.Type = a.Value.AsString()
		case epg.AttrExceptionMsg:
			rec.Message = a.Value.AsString()
		case epg.AttrExceptionStack:
			rec.Stacktrace = a.Value.AsString()
		case "exception.escaped":
			rec.Escaped = a.Value.BoolVal() || a.Value.Str() == "true"
		default:
			rest = append(rest, a)
		}
	}
	rec.Attrs = epg.SortAttrs(rest)
	return rec
}
