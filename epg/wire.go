package epg

import "google.golang.org/protobuf/encoding/protowire"

// appendFragment encodes f exactly as the generated epgpb code would
// (fields in number order, proto3 zero values omitted), without building
// the intermediate epgpb structs: ingest encodes every fragment it stores,
// and the allocation-free path is several times faster.
// TestWireMatchesGenerated pins the equivalence.
func appendFragment(b []byte, f *Fragment) []byte {
	b = appendUint(b, 1, Version)
	b = appendStr(b, 2, f.Source)
	b = appendStr(b, 3, f.Format)
	b = appendStr(b, 4, f.Policy)
	for i := range f.Nodes {
		b = appendMsg(b, 5, func(b []byte) []byte { return appendNode(b, &f.Nodes[i], f.Policy) })
	}
	for i := range f.Edges {
		b = appendMsg(b, 6, func(b []byte) []byte { return appendEdge(b, &f.Edges[i]) })
	}
	for i := range f.Skews {
		s := &f.Skews[i]
		b = appendMsg(b, 7, func(b []byte) []byte {
			b = appendStr(b, 1, s.Service)
			b = appendInt(b, 2, s.Offset)
			b = appendInt(b, 3, s.Error)
			return appendStr(b, 4, s.Method)
		})
	}
	return b
}

func appendNode(b []byte, n *Node, fragPolicy string) []byte {
	b = appendStr(b, 1, n.ID)
	b = appendUint(b, 2, uint64(n.Kind))
	b = appendStr(b, 3, n.Name)
	for i := range n.Attrs {
		b = appendAttrMsg(b, 4, &n.Attrs[i])
	}
	b = appendInt(b, 5, n.Start)
	b = appendInt(b, 6, n.End)
	if !n.Loc.IsZero() {
		l := n.Loc
		b = appendMsg(b, 7, func(b []byte) []byte {
			b = appendStr(b, 1, l.File)
			b = appendInt(b, 2, int64(int32(l.Line)))
			b = appendStr(b, 3, l.Function)
			b = appendStr(b, 4, l.Lang)
			b = appendInt(b, 5, int64(int32(l.Column)))
			if l.InApp {
				b = appendUint(b, 6, 1)
			}
			return b
		})
	}
	b = appendStr(b, 8, n.Trace.TraceID)
	b = appendStr(b, 9, n.Trace.SpanID)
	b = appendStr(b, 10, n.Thread)
	b = appendStr(b, 11, n.Service)
	if n.Policy != fragPolicy {
		b = appendStr(b, 12, n.Policy)
	}
	return b
}

func appendEdge(b []byte, e *Edge) []byte {
	b = appendStr(b, 1, e.From)
	b = appendStr(b, 2, e.To)
	b = appendUint(b, 3, uint64(e.Kind))
	for i := range e.Attrs {
		b = appendAttrMsg(b, 4, &e.Attrs[i])
	}
	if e.Inferred {
		b = appendUint(b, 5, 1)
	}
	return b
}

// appendAttrMsg writes attribute a as field num. Attributes are the most
// numerous messages and mostly tiny, so their lengths are computed up
// front rather than reserved and shifted as appendMsg does.
func appendAttrMsg(b []byte, num protowire.Number, a *Attr) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(sizeAttr(a)))
	return appendAttr(b, a)
}

func appendAttr(b []byte, a *Attr) []byte {
	b = appendStr(b, 1, a.Key)
	b = protowire.AppendTag(b, 2, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(sizeValue(&a.Value)))
	return appendValue(b, &a.Value)
}

// sizeAttr is the encoded size of an Attr message body.
func sizeAttr(a *Attr) int {
	n := 0
	if a.Key != "" {
		n += 1 + protowire.SizeBytes(len(a.Key))
	}
	return n + 1 + protowire.SizeBytes(sizeValue(&a.Value))
}

// sizeValue is the encoded size of a Value message body.
func sizeValue(v *Value) int {
	switch v.kind {
	case ValueString, ValueBytes:
		return 1 + protowire.SizeBytes(len(v.str))
	case ValueInt, ValueBool:
		return 1 + protowire.SizeVarint(v.num)
	case ValueFloat:
		return 1 + 8
	case ValueArray:
		body := 0
		for i := range v.ArrayVal() {
			body += 1 + protowire.SizeBytes(sizeValue(&v.ArrayVal()[i]))
		}
		return 1 + protowire.SizeBytes(body)
	case ValueMap:
		body := 0
		for i := range v.MapVal() {
			body += 1 + protowire.SizeBytes(sizeAttr(&v.MapVal()[i]))
		}
		return 1 + protowire.SizeBytes(body)
	}
	return 0
}

// appendValue writes a Value message; its oneof member is written even
// when zero, as the generated code does.
func appendValue(b []byte, v *Value) []byte {
	switch v.kind {
	case ValueString:
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, v.str)
	case ValueInt:
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, v.num)
	case ValueFloat:
		b = protowire.AppendTag(b, 3, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, v.num)
	case ValueBool:
		b = protowire.AppendTag(b, 4, protowire.VarintType)
		b = protowire.AppendVarint(b, v.num)
	case ValueBytes:
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendString(b, v.str)
	case ValueArray:
		b = appendMsg(b, 6, func(b []byte) []byte {
			for i := range v.ArrayVal() {
				b = appendMsg(b, 1, func(b []byte) []byte { return appendValue(b, &v.ArrayVal()[i]) })
			}
			return b
		})
	case ValueMap:
		b = appendMsg(b, 7, func(b []byte) []byte {
			for i := range v.MapVal() {
				b = appendAttrMsg(b, 1, &v.MapVal()[i])
			}
			return b
		})
	}
	return b
}

// appendMsg writes a length-delimited submessage. The length prefix is
// reserved at its largest likely size and the body shifted only when the
// guess was wrong, avoiding a second encoding pass.
func appendMsg(b []byte, num protowire.Number, body func([]byte) []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	const reserve = 2 // lengths < 16 KiB, the common case
	start := len(b)
	b = append(b, make([]byte, reserve)...)
	b = body(b)
	n := len(b) - start - reserve
	size := protowire.SizeVarint(uint64(n))
	if size != reserve {
		// Move the body to make room for the real prefix length.
		if size > reserve {
			b = append(b, make([]byte, size-reserve)...)
		}
		copy(b[start+size:], b[start+reserve:start+reserve+n])
		b = b[:start+size+n]
	}
	protowire.AppendVarint(b[start:start], uint64(n))
	return b
}

func appendStr(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendUint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendInt(b []byte, num protowire.Number, v int64) []byte { return appendUint(b, num, uint64(v)) }
