package redact

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Request/response bodies are default-deny: only allowlisted paths keep
// their values; every other field keeps its type and shape. Bodies are
// where a service's users' data lives, and no list of bad field names is
// ever complete, so the safe default is the other way round.

// body redacts one body attribute.
func (c *ctx) body(key string, v epg.Value) epg.Value {
	const rule = "policy:bodies"
	switch v.Kind() {
	case epg.ValueString:
		s := v.Str()
		x, ok := parseJSON(s)
		if !ok {
			if s == schemaString {
				return v
			}
			c.record(key, "schema", rule, s, schemaString)
			return epg.String(schemaString)
		}
		out := marshalJSON(c.bodyJSON(key, "body", x))
		out = c.changed(key, "schema", rule, s, out)
		// The detectors see the result whole as well: a value kept on its
		// own may be a secret only next to its key ("private_key_id": …).
		return epg.String(c.text(key, out))
	case epg.ValueMap, epg.ValueArray:
		return c.bodyValue(key, "body", v)
	}
	out := schemaValue(v)
	if !out.Equal(v) {
		c.record(key, "schema", rule, v.AsString(), out.AsString())
	}
	return out
}

func (c *ctx) bodyJSON(key, path string, x any) any {
	if matchAny(c.rs.bodyAllow, path) {
		return c.scanJSON(key, x)
	}
	switch t := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[c.text(key, k)] = c.bodyJSON(key, path+"."+k, e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = c.bodyJSON(key, path, e)
		}
		return out
	}
	return schemaOf(x)
}

func (c *ctx) bodyValue(key, path string, v epg.Value) epg.Value {
	if matchAny(c.rs.bodyAllow, path) {
		return c.value(key, v)
	}
	switch v.Kind() {
	case epg.ValueMap:
		kv := v.MapVal()
		out := make([]epg.Attr, len(kv))
		for i, a := range kv {
			out[i] = epg.Attr{Key: c.text(key, a.Key), Value: c.bodyValue(key, path+"."+a.Key, a.Value)}
		}
		return epg.Map(out...)
	case epg.ValueArray:
		return mapLeaves(v, func(e epg.Value) epg.Value { return c.bodyValue(key, path, e) })
	}
	return schemaValue(v)
}

// scanJSON runs the detectors over the strings (and keys) of a JSON value.
func (c *ctx) scanJSON(key string, x any) any {
	switch t := x.(type) {
	case string:
		return c.text(key, t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[c.text(key, k)] = c.scanJSON(key, e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = c.scanJSON(key, e)
		}
		return out
	}
	return x
}

// logBody applies the log_body path rules to a structured log body (a
// map, or a string holding a JSON object), then the detectors.
func (c *ctx) logBody(key string, v epg.Value) (epg.Value, bool) {
	if len(c.rs.logBody) == 0 {
		return c.value(key, v), true
	}
	if r := c.pathRule("body"); r != nil && r.Action != ActAllow {
		return c.apply(key, v, r, "log_body")
	}
	switch v.Kind() {
	case epg.ValueMap:
		return c.logBodyValue(key, "body", v), true
	case epg.ValueString:
		s := v.Str()
		if strings.HasPrefix(strings.TrimSpace(s), "{") {
			if x, ok := parseJSON(s); ok {
				applied := false
				y := c.logBodyJSON(key, "body", x, &applied)
				if applied {
					s = marshalJSON(y)
				}
				return c.value(key, epg.String(s)), true
			}
		}
	}
	return c.value(key, v), true
}

func (c *ctx) pathRule(path string) *FieldRule {
	for i := range c.rs.logBody {
		if matchGlob(c.rs.logBody[i].Match, path) {
			return &c.rs.logBody[i]
		}
	}
	return nil
}

func (c *ctx) logBodyValue(key, path string, v epg.Value) epg.Value {
	kv := v.MapVal()
	out := make([]epg.Attr, 0, len(kv))
	for _, a := range kv {
		p := path + "." + a.Key
		if r := c.pathRule(p); r != nil && r.Action != ActAllow {
			if nv, keep := c.apply(key+"."+a.Key, a.Value, r, "log_body"); keep {
				out = append(out, epg.Attr{Key: a.Key, Value: nv})
			}
			continue
		}
		nv := a.Value
		switch nv.Kind() {
		case epg.ValueMap:
			nv = c.logBodyValue(key, p, nv)
		case epg.ValueArray:
			nv = mapLeaves(nv, func(e epg.Value) epg.Value {
				if e.Kind() == epg.ValueMap {
					return c.logBodyValue(key, p, e)
				}
				return c.value(key, e)
			})
		default:
			nv = c.value(key+"."+a.Key, nv)
		}
		out = append(out, epg.Attr{Key: a.Key, Value: nv})
	}
	return epg.Map(out...)
}

func (c *ctx) logBodyJSON(key, path string, x any, applied *bool) any {
	switch t := x.(type) {
	case map[string]any:
		for k, e := range t {
			p := path + "." + k
			if r := c.pathRule(p); r != nil && r.Action != ActAllow {
				*applied = true
				if r.Action == ActDrop {
					c.record(key+"."+k, "drop", "policy:log_body:"+r.Match, jsonText(e), "")
					delete(t, k)
					continue
				}
				nv, _ := c.apply(key+"."+k, jsonToValue(e), r, "log_body")
				t[k] = valueToJSON(nv)
				continue
			}
			t[k] = c.logBodyJSON(key, p, e, applied)
		}
	case []any:
		for i, e := range t {
			t[i] = c.logBodyJSON(key, path, e, applied)
		}
	}
	return x
}

const schemaString = "<string>"

// schemaValue keeps a value's type and shape and drops its content.
func schemaValue(v epg.Value) epg.Value {
	switch v.Kind() {
	case epg.ValueString:
		return epg.String(schemaString)
	case epg.ValueInt:
		return epg.Int(0)
	case epg.ValueFloat:
		return epg.Float(0)
	case epg.ValueBool:
		return epg.Bool(false)
	case epg.ValueBytes:
		return epg.Bytes(nil)
	case epg.ValueArray, epg.ValueMap:
		return mapLeaves(v, schemaValue)
	}
	return v
}

func parseJSON(s string) (any, bool) {
	t := strings.TrimSpace(s)
	if t == "" || t[0] != '{' && t[0] != '[' {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(t))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil || dec.More() {
		return nil, false
	}
	return x, true
}

// marshalJSON writes compact JSON with sorted keys and without HTML
// escaping, so tokens stay readable and re-redaction is a fixed point.
func marshalJSON(x any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return schemaString
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func jsonText(x any) string {
	if s, ok := x.(string); ok {
		return s
	}
	return marshalJSON(x)
}

func jsonToValue(x any) epg.Value {
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
		out := make([]epg.Value, len(t))
		for i := range t {
			out[i] = jsonToValue(t[i])
		}
		return epg.Array(out...)
	case map[string]any:
		out := make([]epg.Attr, 0, len(t))
		for k, e := range t {
			out = append(out, epg.Attr{Key: k, Value: jsonToValue(e)})
		}
		return epg.Map(out...)
	}
	return epg.Value{}
}

func valueToJSON(v epg.Value) any {
	b, err := v.MarshalJSON()
	if err != nil {
		return nil
	}
	x, ok := parseJSON(string(b))
	if !ok {
		var y any
		if json.Unmarshal(b, &y) == nil {
			return y
		}
		return nil
	}
	return x
}
