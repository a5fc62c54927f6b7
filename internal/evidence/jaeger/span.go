package jaeger

import (
	"math"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// converter carries the state of one Decode call.
type converter struct {
	in  *evidence.Input
	f   *epg.Fragment
	pos []evidence.ObjPos // one per span in document order; nil when unknown
	n   int               // spans converted so far
	// parents maps a span node ID to its first CHILD_OF parent's node ID
	// in the same trace, for cycle detection.
	parents map[string]string
	order   []spanRef
}

type spanRef struct {
	node  string
	rawID string // the spanID as written, to point at it
	pos   evidence.ObjPos
}

func newConverter(in *evidence.Input, traces []trace, wrapped bool) *converter {
	total := 0
	for i := range traces {
		total += len(traces[i].Spans)
	}
	c := &converter{in: in, f: &epg.Fragment{Source: in.Name, Format: Format},
		parents: make(map[string]string, total)}
	c.f.Nodes = make([]epg.Node, 0, total)
	pos := evidence.ObjectsAt(in.Data, func(st []evidence.Level) bool {
		if wrapped {
			return len(st) == 4 && st[0].Obj && string(st[0].Key) == "data" && !st[1].Obj &&
				st[2].Obj && string(st[2].Key) == "spans" && !st[3].Obj
		}
		return len(st) == 2 && st[0].Obj && string(st[0].Key) == "spans" && !st[1].Obj
	})
	// Keys matched case-insensitively or duplicated by hostile input can
	// desynchronise the scan from encoding/json; positions are then
	// approximated by searching for the offending text.
	if len(pos) == total {
		c.pos = pos
	}
	return c
}

// spanPos returns the position of the current span, or one with start -1.
func (c *converter) spanPos() evidence.ObjPos {
	if c.pos != nil && c.n < len(c.pos) {
		return c.pos[c.n]
	}
	return evidence.ObjPos{Start: -1}
}

func quoted(s string) []byte { return []byte(`"` + s + `"`) }

// micros converts microseconds since the epoch to nanoseconds.
func micros(us int64) (int64, bool) {
	if us < 0 || us > math.MaxInt64/1000 {
		return 0, false
	}
	return us * 1000, true
}

func (c *converter) addSpan(t *trace, s *span) error {
	p := c.spanPos()
	defer func() { c.n++ }()
	rawTrace := s.TraceID
	if rawTrace == "" {
		rawTrace = t.TraceID
	}
	traceID, zero, ok := evidence.NormHex(rawTrace, evidence.TraceIDHex)
	if !ok || zero {
		off := p.Offset(c.in, "traceID", quoted(rawTrace))
		if s.TraceID == "" { // inherited from the trace object
			off = evidence.OffsetOf(c.in, quoted(rawTrace))
		}
		return evidence.Errorf(c.in, off, "span %d: invalid traceID %q (want 1 to 32 hex digits, not all zero)", c.n, rawTrace)
	}
	spanID, zero, ok := evidence.NormHex(s.SpanID, evidence.SpanIDHex)
	if !ok || zero {
		return evidence.Errorf(c.in, p.Offset(c.in, "spanID", quoted(s.SpanID)), "span %d: invalid spanID %q (want 1 to 16 hex digits, not all zero)", c.n, s.SpanID)
	}
	start, ok := micros(s.StartTime)
	if !ok {
		return evidence.Errorf(c.in, p.Offset(c.in, "startTime", nil), "span %s: startTime %d out of range", spanID, s.StartTime)
	}
	dur, ok := micros(s.Duration)
	if !ok {
		return evidence.Errorf(c.in, p.Offset(c.in, "duration", nil), "span %s: invalid duration %d", spanID, s.Duration)
	}
	id := epg.SpanNodeID(traceID, spanID)
	proc := s.Process
	if proc == nil {
		if pr, found := t.Processes[s.ProcessID]; found {
			proc = &pr
		}
	}
	attrs, err := c.spanAttrs(s, proc, &p)
	if err != nil {
		return err
	}
	parent, parentNode, err := c.addRefs(s, traceID, id, &p)
	if err != nil {
		return err
	}
	if parent != "" {
		attrs = append([]epg.Attr{{Key: epg.AttrParentSpanID, Value: epg.String(parent)}}, attrs...)
	}
	n := epg.Node{ID: id, Kind: epg.KindSpan, Name: evidence.Clip(s.OperationName), Attrs: epg.SortAttrs(attrs),
		Trace: epg.TraceRef{TraceID: traceID, SpanID: spanID}}
	if proc != nil {
		n.Service = proc.ServiceName
	}
	if start > 0 {
		n.Start, n.End = start, start+dur
	}
	c.f.Nodes = append(c.f.Nodes, n)
	if _, dup := c.parents[id]; !dup {
		c.parents[id] = parentNode
		c.order = append(c.order, spanRef{node: id, rawID: s.SpanID, pos: p})
	}
	for i := range s.Logs {
		if err := c.addLog(&n, i, &s.Logs[i], &p); err != nil {
			return err
		}
	}
	return nil
}

// spanAttrs maps tags, process tags and warnings; the normalised status
// and kind come first so that they win over a tag of the same name.
func (c *converter) spanAttrs(s *span, proc *process, p *evidence.ObjPos) ([]epg.Attr, error) {
	tags := make([]epg.Attr, 0, len(s.Tags)+4)
	var err error
	for i := range s.Tags {
		if tags, err = appendKV(tags, "", &s.Tags[i]); err != nil {
			return nil, evidence.Errorf(c.in, p.Offset(c.in, "", s.Tags[i].Value), "span %s: %v", s.SpanID, err)
		}
	}
	attrs := append(make([]epg.Attr, 0, len(tags)+8), statusAttrs(tags)...)
	if k := spanKind(tags); k != "" {
		attrs = append(attrs, epg.Attr{Key: epg.AttrSpanKind, Value: epg.String(k)})
	}
	attrs = append(attrs, tags...)
	if proc != nil {
		for i := range proc.Tags {
			// Process tags sit outside the span object; search the file.
			if attrs, err = appendKV(attrs, "resource.", &proc.Tags[i]); err != nil {
				return nil, evidence.Errorf(c.in, evidence.OffsetOf(c.in, proc.Tags[i].Value), "process %q: %v", proc.ServiceName, err)
			}
		}
	}
	if len(s.Warnings) > 0 {
		ws := make([]epg.Value, len(s.Warnings))
		for i, w := range s.Warnings {
			ws[i] = epg.String(evidence.Clip(w))
		}
		attrs = append(attrs, epg.Attr{Key: "jaeger.warnings", Value: epg.Array(ws...)})
	}
	return attrs, nil
}

func tagValue(tags []epg.Attr, key string) (epg.Value, bool) {
	for _, a := range tags {
		if a.Key == key {
			return a.Value, true
		}
	}
	return epg.Value{}, false
}

// statusAttrs derives status.code and status.message from the
// OpenTracing error tag and the OpenTelemetry status tags Jaeger's OTLP
// translator writes. An unknown status is left out rather than written as
// "unset", so that when the builder merges two spans with one ID (Zipkin-
// instrumented services report RPCs that way) the known status wins.
func statusAttrs(tags []epg.Attr) []epg.Attr {
	code := ""
	if v, ok := tagValue(tags, "otel.status_code"); ok {
		switch strings.ToUpper(v.AsString()) {
		case "ERROR":
			code = "error"
		case "OK":
			code = "ok"
		}
	}
	if v, ok := tagValue(tags, "error"); ok && (v.BoolVal() || strings.EqualFold(v.Str(), "true")) {
		code = "error"
	}
	var out []epg.Attr
	if code != "" {
		out = append(out, epg.Attr{Key: epg.AttrStatusCode, Value: epg.String(code)})
	}
	if v, ok := tagValue(tags, "otel.status_description"); ok && v.AsString() != "" {
		out = append(out, epg.Attr{Key: epg.AttrStatusMessage, Value: v})
	}
	return out
}

func spanKind(tags []epg.Attr) string {
	if v, ok := tagValue(tags, "span.kind"); ok && v.Str() != "" {
		return strings.ToLower(v.Str())
	}
	return ""
}

// addRefs adds the edges of the span's references and returns the parent
// span ID and node ID: the first CHILD_OF reference in the span's own
// trace, else the first CHILD_OF, else the legacy parentSpanID field.
func (c *converter) addRefs(s *span, traceID, id string, p *evidence.ObjPos) (parent, parentNode string, err error) {
	foreign, foreignNode := "", ""
	for i := range s.References {
		r := &s.References[i]
		rt := traceID
		if r.TraceID != "" {
			t, zero, ok := evidence.NormHex(r.TraceID, evidence.TraceIDHex)
			if !ok || zero {
				return "", "", evidence.Errorf(c.in, p.Offset(c.in, "", quoted(r.TraceID)), "span %s: reference %d: invalid traceID %q", s.SpanID, i, r.TraceID)
			}
			rt = t
		}
		rs, zero, ok := evidence.NormHex(r.SpanID, evidence.SpanIDHex)
		if !ok || zero {
			return "", "", evidence.Errorf(c.in, p.Offset(c.in, "", quoted(r.SpanID)), "span %s: reference %d: invalid spanID %q", s.SpanID, i, r.SpanID)
		}
		kind := epg.EdgeFollowsFrom
		if strings.EqualFold(r.RefType, "CHILD_OF") {
			kind = epg.EdgeCall
			switch {
			case rt == traceID && parent == "":
				parent, parentNode = rs, epg.SpanNodeID(rt, rs)
			case rt != traceID && foreign == "":
				foreign, foreignNode = rs, epg.SpanNodeID(rt, rs)
			}
		}
		c.f.Edges = append(c.f.Edges, epg.Edge{From: epg.SpanNodeID(rt, rs), To: id, Kind: kind})
	}
	if parent == "" {
		parent, parentNode = foreign, foreignNode
	}
	if parent == "" && s.ParentSpanID != "" {
		ps, zero, ok := evidence.NormHex(s.ParentSpanID, evidence.SpanIDHex)
		if !ok {
			return "", "", evidence.Errorf(c.in, p.Offset(c.in, "parentSpanID", nil), "span %s: invalid parentSpanID %q", s.SpanID, s.ParentSpanID)
		}
		if !zero {
			parent, parentNode = ps, epg.SpanNodeID(traceID, ps)
			c.f.Edges = append(c.f.Edges, epg.Edge{From: epg.SpanNodeID(traceID, ps), To: id, Kind: epg.EdgeCall})
		}
	}
	return parent, parentNode, nil
}

// checkCycles fails when following parents from some span comes back to
// a span already on the path.
func (c *converter) checkCycles() error {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]uint8, len(c.parents))
	for _, r := range c.order {
		var path []string
		for id := r.node; id != ""; id = c.parents[id] {
			if _, known := c.parents[id]; !known || state[id] == done {
				break
			}
			if state[id] == onPath {
				return c.cycleError(id)
			}
			state[id] = onPath
			path = append(path, id)
		}
		for _, id := range path {
			state[id] = done
		}
	}
	return nil
}

func (c *converter) cycleError(node string) error {
	for _, r := range c.order {
		if r.node == node {
			return evidence.Errorf(c.in, r.pos.Offset(c.in, "spanID", quoted(r.rawID)), "span %s: its CHILD_OF chain forms a cycle", r.rawID)
		}
	}
	return evidence.Errorf(c.in, -1, "span node %s: its CHILD_OF chain forms a cycle", node)
}
