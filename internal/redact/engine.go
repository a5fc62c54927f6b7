package redact

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/tagdebug/tag/epg"
)

// Engine is the real Redactor: a policy, the detectors and the
// installation key. It is safe for concurrent use.
type Engine struct {
	pol      *Policy
	det      *Detector
	tok      *tokenizer
	global   *ruleset
	services sync.Map // service name → *ruleset
}

// ruleset is the rules in force for one service: its overrides first,
// then the global rules.
type ruleset struct {
	attrs, headers, query, logBody []FieldRule
	bodyAllow                      []string
	pii                            map[Class]Action
	// plans caches what the rules decide for an attribute key (key →
	// *keyPlan): keys repeat on every span, and matching ~40 globs per
	// attribute was most of redaction's time.
	plans planCache
	// cleanKeys are attribute keys the detectors found nothing in, and
	// cleanVals short string values.
	cleanKeys, cleanVals keySet
}

// New returns an engine for policy p (nil means DefaultPolicy) keyed by
// key, which must be at least 16 bytes (LoadOrCreateKey makes 32).
func New(p *Policy, key []byte) (*Engine, error) {
	if p == nil {
		p = DefaultPolicy()
	}
	if len(key) < 16 {
		return nil, errors.New("redact: key shorter than 16 bytes")
	}
	e := &Engine{pol: p, det: DefaultDetector(), tok: newTokenizer(key)}
	e.global = mergeRules(nil, &p.Rules)
	return e, nil
}

func mergeRules(svc, global *Rules) *ruleset {
	rs := &ruleset{pii: map[Class]Action{}}
	for _, r := range []*Rules{svc, global} {
		if r == nil {
			continue
		}
		rs.attrs = append(rs.attrs, r.Attributes...)
		rs.headers = append(rs.headers, r.Headers...)
		rs.query = append(rs.query, r.Query...)
		rs.logBody = append(rs.logBody, r.LogBody...)
		rs.bodyAllow = append(rs.bodyAllow, r.BodyAllow...)
		for c, a := range r.PII {
			if _, set := rs.pii[c]; !set {
				rs.pii[c] = a
			}
		}
	}
	for _, c := range PIIClasses {
		if _, ok := rs.pii[c]; !ok {
			rs.pii[c] = ActTokenize // unconfigured PII is never kept raw
		}
	}
	return rs
}

func (e *Engine) rulesFor(service string) *ruleset {
	svc, ok := e.pol.Services[service]
	if !ok {
		return e.global
	}
	if rs, ok := e.services.Load(service); ok {
		return rs.(*ruleset)
	}
	rs, _ := e.services.LoadOrStore(service, mergeRules(&svc, &e.pol.Rules))
	return rs.(*ruleset)
}

// Policy returns the engine's policy.
func (e *Engine) Policy() *Policy { return e.pol }

// Version implements Redactor: the policy's content hash.
func (e *Engine) Version() string { return e.pol.Version() }

// Redact implements Redactor: it applies the policy to every node name,
// location, attribute and edge attribute of f, replaces detected secrets
// and PII with keyed tokens, records taint on the nodes, and stamps f.
func (e *Engine) Redact(f *epg.Fragment) error {
	e.redact(f, nil)
	f.StampPolicy(e.Version())
	return nil
}

// DryRun reports what Redact would change in f without changing it.
func (e *Engine) DryRun(f *epg.Fragment) []Change {
	c := cloneFragment(f)
	var rec recorder
	e.redact(c, &rec)
	return rec.changes
}

func (e *Engine) redact(f *epg.Fragment, rec *recorder) {
	var renamed map[string]string
	ids := e.redactNodes(f.Nodes, rec)
	for i := range f.Nodes {
		if n := &f.Nodes[i]; n.ID != ids[i] {
			if renamed == nil {
				renamed = map[string]string{}
			}
			renamed[ids[i]] = n.ID
		}
	}
	for i := range f.Edges {
		ed := &f.Edges[i]
		if to, ok := renamed[ed.From]; ok {
			ed.From = to
		}
		if to, ok := renamed[ed.To]; ok {
			ed.To = to
		}
		if len(ed.Attrs) > 0 {
			var t taint
			c := &ctx{e: e, rs: e.global, node: ed.From + "->" + ed.To, rec: rec, taint: &t}
			ed.Attrs = c.attrs(ed.Attrs)
		}
	}
}

// parallelNodes is the fragment size from which nodes are redacted on
// every core: nodes are independent, and an OTLP batch of 512 spans is
// thousands of them.
const parallelNodes = 1024

// redactNodes redacts every node and returns the IDs they had before. A
// dry run records changes in node order, so it stays on one goroutine.
func (e *Engine) redactNodes(nodes []epg.Node, rec *recorder) []string {
	ids := make([]string, len(nodes))
	for i := range nodes {
		ids[i] = nodes[i].ID
	}
	workers := min(runtime.GOMAXPROCS(0), len(nodes)/(parallelNodes/2))
	if rec != nil || workers < 2 {
		for i := range nodes {
			e.redactNode(&nodes[i], rec)
		}
		return ids
	}
	var wg sync.WaitGroup
	per := (len(nodes) + workers - 1) / workers
	for lo := 0; lo < len(nodes); lo += per {
		part := nodes[lo:min(lo+per, len(nodes))]
		wg.Go(func() {
			for i := range part {
				e.redactNode(&part[i], nil)
			}
		})
	}
	wg.Wait()
	return ids
}

// ctx carries what redacting one node needs.
type ctx struct {
	e     *Engine
	rs    *ruleset
	node  string
	rec   *recorder
	taint *taint
}

func (e *Engine) redactNode(n *epg.Node, rec *recorder) {
	var t taint
	c := &ctx{e: e, rs: e.rulesFor(n.Service), node: n.ID, rec: rec, taint: &t}
	if !isSpanID(n) {
		n.ID = c.text("@id", n.ID)
	}
	n.Name = c.short("@name", n.Name)
	if n.Loc != nil {
		file, fn := c.short("@loc.file", n.Loc.File), c.short("@loc.function", n.Loc.Function)
		if file != n.Loc.File || fn != n.Loc.Function {
			loc := *n.Loc
			loc.File, loc.Function = file, fn
			n.Loc = &loc
		}
	}
	n.Thread = c.short("@thread", n.Thread)
	n.Attrs = c.attrs(n.Attrs)
	n.Attrs = t.stamp(n.Attrs)
}

// attrs redacts an attribute list in place, removing dropped ones.
func (c *ctx) attrs(as epg.Attrs) epg.Attrs {
	out := as[:0]
	renamed := false
	for _, a := range as {
		key := a.Key
		if len(key) >= 8 && !c.rs.cleanKeys.has(key) {
			// Keys are evidence too: a map keyed by e-mail address, a
			// header named after a token.
			tainted := len(c.taint.keys)
			if k := c.text("@key", key); k != key {
				key, renamed = k, true
			} else if len(c.taint.keys) == tainted {
				c.rs.cleanKeys.add(key)
			}
		}
		v, keep := c.attr(key, a.Value)
		if keep {
			out = append(out, epg.Attr{Key: key, Value: v})
		}
	}
	if renamed {
		out = epg.SortAttrs(out)
	}
	return out
}

const (
	reqHeader  = "http.request.header."
	respHeader = "http.response.header."
)

// attr applies the field rules, then the structured shapes, then the
// detectors to one attribute.
func (c *ctx) attr(key string, v epg.Value) (epg.Value, bool) {
	if key == AttrSensitivity || key == AttrTainted {
		return c.value(key, v), true // ours; still scanned, never dropped
	}
	pl := c.plan(key)
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
			nv := c.value(key+"."+a.Key, a.Value)
			if !nv.Equal(a.Value) && out == nil {
				out = append(make([]epg.Attr, 0, len(kv)), kv[:i]...)
			}
			if out != nil {
				out = append(out, epg.Attr{Key: a.Key, Value: nv})
			}
		}
		if out != nil {
			return epg.Map(out...)
		}
	}
	return v
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

// RedactText redacts free text with the global rules: for CLI input that
// is not an EPG fragment, and for tools that render text for people.
func (e *Engine) RedactText(s string) string {
	var t taint
	c := &ctx{e: e, rs: e.global, taint: &t}
	return c.text("", s)
}

// RedactAttr applies the policy and detectors to one attribute of a node
// from service, as Redact would inside a fragment: the new value, and
// false when the policy drops the attribute. It serves rewriting evidence
// files in their own format, where there is no fragment.
func (e *Engine) RedactAttr(service, key string, v epg.Value) (epg.Value, bool) {
	var t taint
	c := &ctx{e: e, rs: e.rulesFor(service), taint: &t}
	return c.attr(key, v)
}

// String names the engine by its policy version, for logs.
func (e *Engine) String() string { return fmt.Sprintf("redact.Engine(%s)", e.Version()) }

var _ Redactor = (*Engine)(nil)

// keyClass guesses the taint class of a field a policy rule replaced:
// credential-like names are secrets, anything else (user.email,
// enduser.id) is PII.
func keyClass(key string) Class {
	k := strings.ToLower(key)
	for _, w := range []string{"pass", "secret", "token", "key", "credential", "auth", "session", "cookie", "signature", "sig"} {
		if strings.Contains(k, w) {
			return ClassSecret
		}
	}
	return ClassEmail
}
