package epg

import (
	"fmt"

	"github.com/tagdebug/tag/epg/epgpb"
	"google.golang.org/protobuf/proto"
)

// MarshalFragment encodes f in the versioned protobuf format.
func MarshalFragment(f *Fragment) ([]byte, error) {
	return AppendFragment(make([]byte, 0, 256*len(f.Nodes)+128*len(f.Edges)+64), f), nil
}

// AppendFragment appends f's encoding to b, so that callers that encode
// many fragments can reuse one buffer.
func AppendFragment(b []byte, f *Fragment) []byte { return appendFragment(b, f) }

// UnmarshalFragment decodes a fragment written by [MarshalFragment]. It
// refuses encodings newer than this package understands.
func UnmarshalFragment(b []byte) (*Fragment, error) {
	var pb epgpb.Fragment
	if err := proto.Unmarshal(b, &pb); err != nil {
		return nil, fmt.Errorf("epg: decode fragment: %w", err)
	}
	if pb.Version > Version {
		return nil, fmt.Errorf("epg: fragment version %d is newer than supported version %d", pb.Version, Version)
	}
	return fragmentFromPB(&pb), nil
}

func fragmentToPB(f *Fragment) *epgpb.Fragment {
	pb := &epgpb.Fragment{Version: Version, Source: f.Source, Format: f.Format, Policy: f.Policy,
		Nodes: make([]*epgpb.Node, len(f.Nodes)), Edges: make([]*epgpb.Edge, len(f.Edges))}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		pn := &epgpb.Node{Id: n.ID, Kind: epgpb.NodeKind(n.Kind), Name: n.Name, Attrs: attrsToPB(n.Attrs),
			StartUnixNano: n.Start, EndUnixNano: n.End, TraceId: n.Trace.TraceID, SpanId: n.Trace.SpanID,
			Thread: n.Thread, Service: n.Service}
		if n.Policy != f.Policy {
			pn.Policy = n.Policy
		}
		if !n.Loc.IsZero() {
			pn.Location = &epgpb.Location{File: n.Loc.File, Line: int32(n.Loc.Line), Column: int32(n.Loc.Column),
				Function: n.Loc.Function, Lang: n.Loc.Lang, InApp: n.Loc.InApp}
		}
		pb.Nodes[i] = pn
	}
	for i := range f.Edges {
		e := &f.Edges[i]
		pb.Edges[i] = &epgpb.Edge{From: e.From, To: e.To, Kind: epgpb.EdgeKind(e.Kind), Attrs: attrsToPB(e.Attrs), Inferred: e.Inferred}
	}
	for _, s := range f.Skews {
		pb.Skews = append(pb.Skews, &epgpb.Skew{Service: s.Service, OffsetNanos: s.Offset, ErrorNanos: s.Error, Method: s.Method})
	}
	return pb
}

func fragmentFromPB(pb *epgpb.Fragment) *Fragment {
	f := &Fragment{Source: pb.Source, Format: pb.Format, Policy: pb.Policy,
		Nodes: make([]Node, len(pb.Nodes)), Edges: make([]Edge, len(pb.Edges))}
	for i, pn := range pb.Nodes {
		n := Node{ID: pn.Id, Kind: NodeKind(pn.Kind), Name: pn.Name, Attrs: attrsFromPB(pn.Attrs),
			Start: pn.StartUnixNano, End: pn.EndUnixNano, Trace: TraceRef{pn.TraceId, pn.SpanId},
			Thread: pn.Thread, Service: pn.Service, Policy: pn.Policy}
		if n.Policy == "" {
			n.Policy = pb.Policy
		}
		if l := pn.Location; l != nil {
			n.Loc = &Location{File: l.File, Line: int(l.Line), Column: int(l.Column), Function: l.Function, Lang: l.Lang, InApp: l.InApp}
		}
		f.Nodes[i] = n
	}
	for i, pe := range pb.Edges {
		f.Edges[i] = Edge{From: pe.From, To: pe.To, Kind: EdgeKind(pe.Kind), Attrs: attrsFromPB(pe.Attrs), Inferred: pe.Inferred}
	}
	for _, s := range pb.Skews {
		f.Skews = append(f.Skews, Skew{Service: s.Service, Offset: s.OffsetNanos, Error: s.ErrorNanos, Method: s.Method})
	}
	return f
}

func attrsToPB(as []Attr) []*epgpb.Attr {
	if len(as) == 0 {
		return nil
	}
	out := make([]*epgpb.Attr, len(as))
	for i, a := range as {
		out[i] = &epgpb.Attr{Key: a.Key, Value: valueToPB(a.Value)}
	}
	return out
}

func valueToPB(v Value) *epgpb.Value {
	switch v.kind {
	case ValueString:
		return &epgpb.Value{V: &epgpb.Value_Str{Str: v.str}}
	case ValueInt:
		return &epgpb.Value{V: &epgpb.Value_Int{Int: v.IntVal()}}
	case ValueFloat:
		return &epgpb.Value{V: &epgpb.Value_Float{Float: v.FloatVal()}}
	case ValueBool:
		return &epgpb.Value{V: &epgpb.Value_Bool{Bool: v.BoolVal()}}
	case ValueBytes:
		return &epgpb.Value{V: &epgpb.Value_Bytes{Bytes: []byte(v.str)}}
	case ValueArray:
		vs := make([]*epgpb.Value, len(v.ArrayVal()))
		for i, e := range v.ArrayVal() {
			vs[i] = valueToPB(e)
		}
		return &epgpb.Value{V: &epgpb.Value_Array{Array: &epgpb.ArrayValue{Values: vs}}}
	case ValueMap:
		return &epgpb.Value{V: &epgpb.Value_Map{Map: &epgpb.MapValue{Attrs: attrsToPB(v.MapVal())}}}
	}
	return &epgpb.Value{}
}

func attrsFromPB(as []*epgpb.Attr) Attrs {
	if len(as) == 0 {
		return nil
	}
	out := make(Attrs, len(as))
	for i, a := range as {
		out[i] = Attr{Key: a.Key, Value: valueFromPB(a.Value)}
	}
	return Attrs(SortAttrs(out))
}

func valueFromPB(pv *epgpb.Value) Value {
	switch x := pv.GetV().(type) {
	case *epgpb.Value_Str:
		return String(x.Str)
	case *epgpb.Value_Int:
		return Int(x.Int)
	case *epgpb.Value_Float:
		return Float(x.Float)
	case *epgpb.Value_Bool:
		return Bool(x.Bool)
	case *epgpb.Value_Bytes:
		return Bytes(x.Bytes)
	case *epgpb.Value_Array:
		vs := make([]Value, len(x.Array.GetValues()))
		for i, e := range x.Array.GetValues() {
			vs[i] = valueFromPB(e)
		}
		return Array(vs...)
	case *epgpb.Value_Map:
		return Value{kind: ValueMap, comp: &composite{kv: attrsFromPB(x.Map.GetAttrs())}}
	}
	return Value{}
}
