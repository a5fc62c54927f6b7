package capsule

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/tagdebug/tag/epg"
	sdkcapsule "github.com/tagdebug/tag/sdk/go/capsule"
)

// The capsule is kept on its input node as a structured value (maps,
// arrays, strings, numbers), not as one JSON string: redaction then
// scans every string of it as a value of its own, the way it scans any
// attribute, instead of JSON text with escaped quotes inside.

// toValue turns a capsule into an attribute value.
func toValue(c *sdkcapsule.Capsule) (epg.Value, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return epg.Value{}, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return epg.Value{}, err
	}
	return jsonValue(x), nil
}

func jsonValue(x any) epg.Value {
	switch t := x.(type) {
	case string:
		return epg.String(t)
	case bool:
		return epg.Bool(t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return epg.Int(i)
		}
		f, _ := t.Float64()
		return epg.Float(f)
	case []any:
		vs := make([]epg.Value, len(t))
		for i, e := range t {
			vs[i] = jsonValue(e)
		}
		return epg.Array(vs...)
	case map[string]any:
		as := make([]epg.Attr, 0, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			as = append(as, epg.Attr{Key: k, Value: jsonValue(t[k])})
		}
		return epg.Map(as...)
	}
	return epg.Value{}
}

// FromNode returns the capsule an input node carries (after redaction),
// or false when the node carries none.
func FromNode(n *epg.Node) (*sdkcapsule.Capsule, bool, error) {
	v, ok := n.Attr(AttrCapsule)
	if !ok {
		return nil, false, nil
	}
	var b bytes.Buffer
	writeJSON(&b, v)
	c, err := sdkcapsule.Decode(b.Bytes())
	if err != nil {
		return nil, true, fmt.Errorf("stored capsule %s: %w", n.ID, err)
	}
	return c, true, nil
}

func writeJSON(b *bytes.Buffer, v epg.Value) {
	switch v.Kind() {
	case epg.ValueString, epg.ValueBytes:
		s, _ := json.Marshal(v.AsString())
		b.Write(s)
	case epg.ValueInt:
		b.WriteString(strconv.FormatInt(v.IntVal(), 10))
	case epg.ValueFloat:
		b.WriteString(strconv.FormatFloat(v.FloatVal(), 'g', -1, 64))
	case epg.ValueBool:
		b.WriteString(strconv.FormatBool(v.BoolVal()))
	case epg.ValueArray:
		b.WriteByte('[')
		for i, e := range v.ArrayVal() {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	case epg.ValueMap:
		b.WriteByte('{')
		// "tag_capsule" first: Decode sniffs nothing, but keep the
		// document's usual shape.
		kv := v.MapVal()
		first := true
		for pass := 0; pass < 2; pass++ {
			for _, a := range kv {
				if (a.Key == "tag_capsule") != (pass == 0) {
					continue
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				k, _ := json.Marshal(a.Key)
				b.Write(k)
				b.WriteByte(':')
				writeJSON(b, a.Value)
			}
		}
		b.WriteByte('}')
	default:
		b.WriteString("null")
	}
}
