package redact

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// value runs the detectors over every string inside v.
func (c *ctx) value(key string, v epg.Value) epg.Value {
	switch v.Kind() {
	case epg.ValueString:
		if s := v.Str(); len(s) >= 3 {
			if out := c.short(key, s); out != s {
				return epg.String(out)
			}
		}
	case epg.ValueBytes:
		s := string(v.BytesVal())
		if out := c.text(key, s); out != s {
			return epg.Bytes([]byte(out))
		}
	case epg.ValueArray:
		return mapLeaves(v, func(l epg.Value) epg.Value { return c.value(key, l) })
	case epg.ValueMap:
		kv := v.MapVal()
		var out []epg.Attr
		for i, a := range kv {
			nv, keep := c.member(key+"."+a.Key, a.Value)
			if (!keep || !nv.Equal(a.Value)) && out == nil {
				out = append(make([]epg.Attr, 0, len(kv)), kv[:i]...)
			}
			if out != nil && keep {
				out = append(out, epg.Attr{Key: a.Key, Value: nv})
			}
		}
		if out != nil {
			return epg.Map(out...)
		}
	}
	return v
}

// member redacts one member of a map value under its dotted key: the
// field rules apply to nested keys as they do to attribute keys (a map's
// "client_secret" is tokenized, its "password" dropped), then the
// detectors. Shapes (bodies, URLs) stay a top-level decision.
func (c *ctx) member(key string, v epg.Value) (epg.Value, bool) {
	if pl := c.plan(key); pl.rule != nil && pl.rule.Action != ActAllow {
		return c.apply(key, v, pl.rule, pl.where)
	}
	return c.value(key, v), true
}

// short is text for the values that repeat across nodes — methods,
// routes, hosts, user agents, span names, frame locations: a short value
// the detectors found nothing in is remembered and not scanned again.
func (c *ctx) short(key, s string) string {
	if len(s) < 3 || c.rs.cleanVals.has(s) {
		return s
	}
	tainted := len(c.taint.keys)
	out := c.text(key, s)
	if out == s && len(s) <= maxCleanLen && len(c.taint.keys) == tainted {
		c.rs.cleanVals.add(s)
	}
	return out
}

// isSpanID reports a span node whose ID is the one epg.SpanNodeID makes
// from its hex trace and span IDs: nothing in it can be a secret, and it
// is unique per node, so scanning it would be pure cost.
func isSpanID(n *epg.Node) bool {
	if n.Kind != epg.KindSpan || len(n.Trace.TraceID) != 32 || len(n.Trace.SpanID) != 16 || !allHexLower(n.Trace.TraceID) || !allHexLower(n.Trace.SpanID) {
		return false
	}
	return n.ID == epg.SpanNodeID(n.Trace.TraceID, n.Trace.SpanID)
}

// text replaces every finding in s as the policy says. A replacement
// changes its neighbours' boundaries (a number glued to a key becomes a
// number next to '>'), so the text around each replacement is scanned
// again until nothing more is found: that is what makes redaction a fixed
// point without rescanning whole values.
func (c *ctx) text(key, s string) string {
	if len(s) < 3 {
		return s
	}
	out, dirty := c.replaceAll(key, s, 0, len(s))
	for round := 0; len(dirty) > 0 && round < 4; round++ {
		var next []span
		var b strings.Builder
		last := 0
		shift := 0
		for _, w := range dirty {
			seg, d := c.replaceAll(key, out, w.start, w.end)
			if d == nil {
				continue
			}
			b.WriteString(out[last:w.start])
			b.WriteString(seg)
			last = w.end
			for _, x := range d {
				next = append(next, span{x.start + shift, x.end + shift})
			}
			shift += len(seg) - (w.end - w.start)
		}
		if next == nil {
			break
		}
		b.WriteString(out[last:])
		out = b.String()
		dirty = mergeWindows(out, next)
	}
	return out
}

// replaceAll replaces the findings in s[from:to] and returns the new
// text of that window (the whole string when the window is all of it)
// and the windows around each replacement, in output coordinates.
func (c *ctx) replaceAll(key, s string, from, to int) (string, []span) {
	win := s[from:to]
	fs := c.e.det.find(win, nil)
	if len(fs) == 0 {
		if from == 0 && to == len(s) {
			return s, nil
		}
		return win, nil
	}
	var b strings.Builder
	b.Grow(len(win) + 32*len(fs))
	last := 0
	var dirty []span
	for _, f := range fs {
		m := win[f.Start:f.End]
		out, act := c.replacement(f, m)
		if act == ActAllow {
			continue
		}
		b.WriteString(win[last:f.Start])
		st := from + b.Len()
		b.WriteString(out)
		dirty = append(dirty, span{st, from + b.Len()})
		last = f.End
		c.record(key, string(act), f.Rule, m, out)
		c.taint.add(key, f.Class)
	}
	if last == 0 {
		return win, nil
	}
	b.WriteString(win[last:])
	res := b.String()
	if from == 0 && to == len(s) {
		return res, mergeWindows(res, dirty)
	}
	return res, dirty
}

// mergeWindows widens each replaced span by 64 bytes each way (shapes
// such as "020 7946 0958" span blanks), then on to whitespace, at most 64
// bytes more, and merges overlaps.
func mergeWindows(s string, spans []span) []span {
	var out []span
	for _, sp := range spans {
		a, b := max(0, sp.start-64), min(len(s), sp.end+64)
		for k := 0; a > 0 && k < 64 && !isSpace(s[a-1]); k++ {
			a--
		}
		for k := 0; b < len(s) && k < 64 && !isSpace(s[b]); k++ {
			b++
		}
		a, b = outsideRendering(s, a, b)
		if n := len(out); n > 0 && a <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, b)
			continue
		}
		out = append(out, span{a, b})
	}
	return out
}

// outsideRendering moves window edges that fall inside a <…> rendering
// to its ends: a window must never start at "token:…" without its '<'.
func outsideRendering(s string, a, b int) (int, int) {
	if i := strings.LastIndexByte(s[max(0, a-256):a], '<'); i >= 0 {
		i += max(0, a-256)
		if !strings.Contains(s[i:a], ">") {
			a = i
		}
	}
	if i := strings.IndexByte(s[b:min(len(s), b+256)], '>'); i >= 0 {
		if !strings.Contains(s[b:b+i], "<") {
			b += i + 1
		}
	}
	return a, b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (c *ctx) replacement(f Finding, m string) (string, Action) {
	tok := c.e.tok
	if f.Class == ClassSecret {
		if f.render != nil {
			return f.render(m, tok), ActTokenize
		}
		return tok.token(f.Rule, m), ActTokenize
	}
	switch a := c.rs.pii[f.Class]; a {
	case ActAllow:
		return m, ActAllow
	case ActHash:
		return tok.hash(m), ActHash
	default:
		return tok.token(strings.ReplaceAll(string(f.Class), "_", "-"), m), ActTokenize
	}
}

// changed records a structural change of one string and returns after.
func (c *ctx) changed(key, action, rule, before, after string) string {
	if after != before {
		c.record(key, action, rule, before, after)
	}
	return after
}

func (c *ctx) changedTaint(key, action, rule, before, after string, cl Class) string {
	if after != before {
		c.record(key, action, rule, before, after)
		c.taint.add(key, cl)
	}
	return after
}

func (c *ctx) record(key, action, rule, before, after string) {
	if c.rec != nil {
		c.rec.changes = append(c.rec.changes, Change{Node: c.node, Key: key, Action: action, Rule: rule, Before: Mask(before), After: after})
	}
}

// mapStrings applies f to v if it is a string, or to each string element
// of an array (OTel header values are string arrays).
func mapStrings(v epg.Value, f func(string) string) epg.Value {
	switch v.Kind() {
	case epg.ValueString:
		if out := f(v.Str()); out != v.Str() {
			return epg.String(out)
		}
	case epg.ValueArray:
		return mapLeaves(v, func(l epg.Value) epg.Value { return mapStrings(l, f) })
	}
	return v
}

// mapLeaves applies f to each element of an array value, or to each
// value of a map, copying only when something changed.
func mapLeaves(v epg.Value, f func(epg.Value) epg.Value) epg.Value {
	switch v.Kind() {
	case epg.ValueArray:
		arr := v.ArrayVal()
		var out []epg.Value
		for i, e := range arr {
			ne := f(e)
			if out == nil && !ne.Equal(e) {
				out = append(make([]epg.Value, 0, len(arr)), arr[:i]...)
			}
			if out != nil {
				out = append(out, ne)
			}
		}
		if out != nil {
			return epg.Array(out...)
		}
	case epg.ValueMap:
		kv := v.MapVal()
		out := make([]epg.Attr, len(kv))
		for i, a := range kv {
			out[i] = epg.Attr{Key: a.Key, Value: f(a.Value)}
		}
		return epg.Map(out...)
	default:
		return f(v)
	}
	return v
}
