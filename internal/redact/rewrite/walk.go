package rewrite

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/redact"
)

// transparent names are containers in the evidence formats' own
// structure (OTLP AnyValue wrappers, Zipkin's tags map, attribute lists):
// a value below them is keyed by what is above them.
var transparent = map[string]bool{
	"value": true, "values": true, "stringValue": true, "intValue": true, "doubleValue": true,
	"boolValue": true, "bytesValue": true, "arrayValue": true, "kvlistValue": true,
	"attributes": true, "tags": true, "resource": true, "annotations": true,
}

// typedValue names are OTLP AnyValue fields that a string replacement
// must move to stringValue.
var typedValue = map[string]bool{"intValue": true, "doubleValue": true, "boolValue": true, "bytesValue": true}

// walker applies the engine to a JSON evidence document. key is the
// attribute key a value stands for; inAttr is true below an attribute
// (where nested keys extend it rather than replace it).
type walker struct{ e *redact.Engine }

func rewriteJSON(e *redact.Engine, data []byte) ([]byte, error) {
	docs, err := parseJSONStream(data)
	if err != nil {
		return nil, err
	}
	w := walker{e}
	indented := looksIndented(data)
	var out bytes.Buffer
	for _, d := range docs {
		w.node(d, "", false)
		var b bytes.Buffer
		d.encode(&b)
		if indented {
			var ib bytes.Buffer
			if err := json.Indent(&ib, b.Bytes(), "", "  "); err == nil {
				b = ib
			}
		}
		out.Write(b.Bytes())
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// looksIndented reports whether the first document spans lines, as
// pretty-printed files do (log streams are one document per line).
func looksIndented(data []byte) bool {
	t := bytes.TrimSpace(data)
	nl := bytes.IndexByte(t, '\n')
	return nl > 0 && nl < len(t)-1 && (t[nl+1] == ' ' || t[nl+1] == '\t' || t[nl-1] == '{' || t[nl-1] == '[')
}

func (w walker) node(n *jnode, key string, inAttr bool) {
	switch n.kind {
	case 'o':
		w.object(n, key, inAttr)
	case 'a':
		for _, v := range n.vals {
			w.node(v, key, inAttr)
		}
	case 's', 'n', 'b':
		w.leaf(n, key)
	}
}

func (w walker) object(n *jnode, key string, inAttr bool) {
	if k := n.field("key"); k != nil && k.kind == 's' && n.field("value") != nil {
		// An OTLP KeyValue or a Jaeger tag: its key names the attribute.
		attr := k.text
		if inAttr && key != "" {
			attr = key + "." + attr
		}
		for i, f := range n.keys {
			if f != "key" {
				w.child(n, i, attr, true)
			}
		}
		if emptied(n.field("value")) {
			n.dropped = true
		}
		return
	}
	for i, f := range n.keys {
		sub := key
		switch {
		case transparent[f]:
		case f == "body" && !inAttr:
			sub = "log.body"
		case key != "":
			sub = key + "." + f
		default:
			sub = f
		}
		w.child(n, i, sub, inAttr)
	}
}

// emptied reports a value the walker dropped, itself or all it held: an
// OTLP AnyValue whose only field was dropped.
func emptied(n *jnode) bool {
	if n.dropped {
		return true
	}
	if n.kind != 'o' || len(n.vals) == 0 {
		return false
	}
	for _, v := range n.vals {
		if !emptied(v) {
			return false
		}
	}
	return true
}

// child walks one member of an object, renaming an OTLP typed value
// (intValue is a JSON string in OTLP/JSON) that a rule replaced with text.
func (w walker) child(n *jnode, i int, key string, inAttr bool) {
	v := n.vals[i]
	before := v.text
	w.node(v, key, inAttr)
	if typedValue[n.keys[i]] && v.kind == 's' && v.text != before {
		n.keys[i] = "stringValue"
	}
}

// leaf redacts one scalar as the attribute key says.
func (w walker) leaf(n *jnode, key string) {
	var v epg.Value
	switch n.kind {
	case 's':
		v = epg.String(n.text)
	case 'b':
		v = epg.Bool(n.text == "true")
	default:
		if i, err := strconv.ParseInt(n.text, 10, 64); err == nil {
			v = epg.Int(i)
		} else if f, err := strconv.ParseFloat(n.text, 64); err == nil {
			v = epg.Float(f)
		} else {
			v = epg.String(n.text)
		}
	}
	out, keep := w.e.RedactAttr("", key, v)
	if !keep {
		n.dropped = true
		return
	}
	if out.Equal(v) {
		return
	}
	if out.Kind() == epg.ValueString {
		n.kind, n.text = 's', out.Str()
		return
	}
	n.kind, n.text = 's', out.AsString()
}
