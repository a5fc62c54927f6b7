package zipkin

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// emit writes the nodes and edges of every span in document order.
func (c *converter) emit() error {
	c.f.Nodes = make([]epg.Node, 0, len(c.recs))
	resources := map[string]bool{}
	for i := range c.recs {
		r := &c.recs[i]
		n, err := c.spanNode(r)
		if err != nil {
			return err
		}
		c.f.Nodes = append(c.f.Nodes, n)
		c.parentEdge(r)
		c.remote(r, resources)
		for j := range r.s.Annotations {
			if err := c.annotation(r, &n, j); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *converter) parentEdge(r *rec) {
	switch {
	case r.parent >= 0:
		c.f.Edges = append(c.f.Edges, epg.Edge{From: c.recs[r.parent].node, To: r.node, Kind: epg.EdgeCall})
	case r.parentID != "":
		// Not in the file: name the span another fragment may bring.
		c.f.Edges = append(c.f.Edges, epg.Edge{From: epg.SpanNodeID(r.traceID, r.parentID), To: r.node, Kind: epg.EdgeCall})
	}
}

func (c *converter) spanNode(r *rec) (epg.Node, error) {
	s := r.s
	attrs := make([]epg.Attr, 0, len(s.Tags)+12)
	// Derived attributes come first so that a tag of the same name cannot
	// shadow them (epg.SortAttrs keeps the first of duplicate keys).
	attrs = append(attrs, statusAttrs(s.Tags)...)
	if r.kind != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSpanKind, Value: epg.String(r.kind)})
	}
	if r.parentID != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrParentSpanID, Value: epg.String(r.parentID)})
	}
	if r.server {
		attrs = append(attrs, epg.Attr{Key: "zipkin.shared", Value: epg.Bool(true)})
	}
	if r.offset != 0 && r.start != 0 {
		attrs = append(attrs, epg.Attr{Key: AttrSkewCorrectedStart, Value: epg.Int(r.start + r.offset)})
	}
	attrs = appendEndpoint(attrs, "local_endpoint.", s.LocalEndpoint, false)
	attrs = appendEndpoint(attrs, "peer.", s.RemoteEndpoint, true)
	// Sorted, so that of several bad tags the same one is always reported.
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		v, ok, err := tagString(s.Tags[k])
		if err != nil {
			return epg.Node{}, evidence.Errorf(c.in, r.pos.Offset(c.in, "", quoted(k)), "span %s: tag %q: %v", s.ID, k, err)
		}
		if ok {
			attrs = evidence.AppendClipped(attrs, k, v)
		}
	}
	n := epg.Node{ID: r.node, Kind: epg.KindSpan, Name: evidence.Clip(s.Name), Attrs: epg.SortAttrs(attrs), Service: r.service,
		Trace: epg.TraceRef{TraceID: r.traceID, SpanID: r.id}, Start: r.start}
	if r.start != 0 && r.dur >= 0 {
		n.End = r.start + r.dur
	}
	return n, nil
}

func appendEndpoint(attrs []epg.Attr, prefix string, e *endpoint, withService bool) []epg.Attr {
	if e == nil {
		return attrs
	}
	if withService && e.ServiceName != "" {
		attrs = evidence.AppendClipped(attrs, prefix+"service", e.ServiceName)
	}
	if e.IPv4 != "" {
		attrs = evidence.AppendClipped(attrs, prefix+"ipv4", e.IPv4)
	}
	if e.IPv6 != "" {
		attrs = evidence.AppendClipped(attrs, prefix+"ipv6", e.IPv6)
	}
	if e.Port != 0 {
		attrs = append(attrs, epg.Attr{Key: prefix + "port", Value: epg.Int(int64(e.Port))})
	}
	return attrs
}

// tagString reads a tag value. The model says strings; numbers and
// booleans some tracers write are kept as their text, null is skipped.
func tagString(raw json.RawMessage) (string, bool, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	case '{', '[':
		return "", false, fmt.Errorf("expected a string, found a JSON %s", map[byte]string{'{': "object", '[': "array"}[raw[0]])
	}
	return string(raw), true, nil
}

// statusAttrs follows Zipkin's convention that an "error" tag marks a
// failed span and its value, when not just "true", is the message. Without
// it the status is left out rather than written as "unset": Zipkin spans
// may arrive in several parts with one ID, which the builder merges, and
// the part that knows the status must win.
func statusAttrs(tags map[string]json.RawMessage) []epg.Attr {
	raw, ok := tags["error"]
	if !ok {
		return nil
	}
	msg, _, _ := tagString(raw)
	if msg == "false" {
		return nil
	}
	out := []epg.Attr{{Key: epg.AttrStatusCode, Value: epg.String("error")}}
	if msg != "" && msg != "true" {
		out = evidence.AppendClipped(out, epg.AttrStatusMessage, msg)
	}
	return out
}

// remote links CLIENT and PRODUCER spans to the endpoint they called.
func (c *converter) remote(r *rec, seen map[string]bool) {
	e := r.s.RemoteEndpoint
	if e == nil || (r.kind != "client" && r.kind != "producer") {
		return
	}
	name := e.ServiceName
	if name == "" {
		name = e.ip()
		if name != "" && e.Port != 0 {
			name += ":" + strconv.Itoa(int(e.Port))
		}
	}
	if name == "" {
		return
	}
	name = evidence.Clip(name)
	id := epg.ResourceNodeID(name)
	if !seen[id] {
		seen[id] = true
		c.f.Nodes = append(c.f.Nodes, epg.Node{ID: id, Kind: epg.KindResource, Name: name,
			Attrs: epg.SortAttrs(appendEndpoint(nil, "peer.", e, true))})
	}
	c.f.Edges = append(c.f.Edges, epg.Edge{From: r.node, To: id, Kind: epg.EdgeIO})
}
