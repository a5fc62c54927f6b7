package redact

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// The OpenTelemetry attribute prefixes of HTTP headers.
const (
	reqHeader  = "http.request.header."
	respHeader = "http.response.header."
)

// attr applies the field rules, then the structured shapes, then the
// detectors to one attribute.
func (c *ctx) attr(key string, v epg.Value) (epg.Value, bool) {
	return c.attrPlanned(key, v, nil)
}

// attrPlanned is attr with key's plan already at hand (nil: look it up).
func (c *ctx) attrPlanned(key string, v epg.Value, pl *keyPlan) (epg.Value, bool) {
	if key == AttrSensitivity || key == AttrTainted {
		return c.value(key, v), true // ours; still scanned, never dropped
	}
	if pl == nil {
		pl = c.plan(key)
	}
	if pl.rule != nil && pl.rule.Action != ActAllow {
		return c.apply(key, v, pl.rule, pl.where)
	}
	switch pl.shape {
	case shapeBody:
		return c.body(key, v), true
	case shapeLogBody:
		return c.logBody(key, v)
	case shapeURL:
		// Detectors first, then the shape, then the detectors again: the
		// shape decision is then made on text that no longer changes, which
		// keeps redaction a fixed point.
		v = mapStrings(c.value(key, v), func(s string) string {
			return c.changed(key, "url", "structured:url", s, redactURL(s, c.queryAction(key)))
		})
	case shapeSQL:
		v = mapStrings(c.value(key, v), func(s string) string { return c.changed(key, "sql", "structured:sql", s, stripSQLLiterals(s)) })
	case shapeHeader:
		v = c.header(key, pl.header, c.value(key, v))
	}
	return c.value(key, v), true
}

// headerName recognises an HTTP header attribute: OpenTelemetry's
// http.request.header.<name> and http.response.header.<name>, and the
// shapes structured loggers flatten request objects into
// ("req.headers.authorization", "request.header.Cookie"), so a logged
// Authorization header keeps only its scheme whatever logger wrote it.
func headerName(key string) (string, bool) {
	if n, ok := strings.CutPrefix(key, reqHeader); ok {
		return strings.ToLower(n), true
	}
	if n, ok := strings.CutPrefix(key, respHeader); ok {
		return strings.ToLower(n), true
	}
	lower := strings.ToLower(key)
	for _, seg := range []string{"headers.", "header."} {
		if i := strings.LastIndex(lower, seg); i >= 0 && (i == 0 || lower[i-1] == '.') {
			if n := lower[i+len(seg):]; n != "" && !strings.Contains(n, ".") {
				return n, true
			}
		}
	}
	return "", false
}

// fieldRule finds the first rule for key: attribute rules, then header
// rules for header attributes.
func (c *ctx) fieldRule(key string) (*FieldRule, string) {
	for i := range c.rs.attrs {
		if matchGlob(c.rs.attrs[i].Match, key) {
			return &c.rs.attrs[i], "attributes"
		}
	}
	if name, ok := headerName(key); ok {
		for i := range c.rs.headers {
			if matchGlob(c.rs.headers[i].Match, name) {
				return &c.rs.headers[i], "headers"
			}
		}
	}
	return nil, ""
}

func (c *ctx) header(key, name string, v epg.Value) epg.Value {
	tok := c.e.tok
	switch name {
	case "authorization", "proxy-authorization":
		return mapStrings(v, func(s string) string {
			return c.changedTaint(key, "structured", "structured:authorization", s, redactAuthorization(s, tok), ClassSecret)
		})
	case "cookie", "set-cookie":
		return mapStrings(v, func(s string) string {
			return c.changedTaint(key, "structured", "structured:cookie", s, redactCookie(s, tok, name == "set-cookie"), ClassSecret)
		})
	}
	return v
}

func (c *ctx) queryAction(key string) queryActionFunc {
	return func(name, val string) string {
		lname := strings.ToLower(name)
		for i := range c.rs.query {
			r := &c.rs.query[i]
			if matchGlob(r.Match, lname) {
				nv, keep := c.apply(key, epg.String(val), r, "query")
				if !keep {
					return ""
				}
				return nv.AsString()
			}
		}
		return val
	}
}

// apply performs a non-allow field action on v.
func (c *ctx) apply(key string, v epg.Value, r *FieldRule, where string) (epg.Value, bool) {
	rule := "policy:" + where + ":" + r.Match
	switch r.Action {
	case ActDrop:
		c.record(key, string(ActDrop), rule, v.AsString(), "")
		return epg.Value{}, false
	case ActHash, ActTokenize:
		if v.Kind() == epg.ValueString && isRendering(v.Str()) {
			return v, true
		}
		if v.Kind() == epg.ValueArray || v.Kind() == epg.ValueMap {
			return mapLeaves(v, func(l epg.Value) epg.Value { nv, _ := c.apply(key, l, r, where); return nv }), true
		}
		s := v.AsString()
		if s == "" {
			return v, true
		}
		out := c.e.tok.hash(s)
		if r.Action == ActTokenize {
			label := labelForKey(key)
			if where == "query" || where == "headers" {
				// The rule's own words, never the parameter's name:
				// names are evidence and may hold anything.
				label = cleanLabel(strings.ToLower(strings.Trim(r.Match, "*?")))
			}
			out = c.e.tok.token(label, s)
		}
		c.record(key, string(r.Action), rule, s, out)
		c.taint.add(key, keyClass(key))
		return epg.String(out), true
	case ActTruncate:
		v = c.value(key, v)
		return mapStrings(v, func(s string) string { return c.changed(key, "truncate", rule, s, truncate(s, r.Length)) }), true
	case ActSchema:
		out := schemaValue(v)
		if !out.Equal(v) {
			c.record(key, "schema", rule, v.AsString(), out.AsString())
		}
		return out, true
	}
	return c.value(key, v), true
}

// labelForKey turns an attribute key into a token label: its last
// segment, e.g. "user.email" → "email".
func labelForKey(key string) string {
	if i := strings.LastIndexAny(key, ".?"); i >= 0 {
		key = key[i+1:]
	}
	return cleanLabel(strings.ToLower(key))
}

// truncate keeps the first n bytes (on a rune boundary) and marks the
// cut. Truncating a truncated value changes nothing.
func truncate(s string, n int) string {
	const mark = "…[truncated]"
	if len(s) <= n || strings.HasSuffix(s, mark) && len(s)-len(mark) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + mark
}
