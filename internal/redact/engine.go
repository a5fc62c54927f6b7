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
	plans boundedCache
	// cleanKeys are attribute keys the detectors found nothing in, and
	// cleanVals short string values.
	cleanKeys, cleanVals boundedCache
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

// parallelNodes is how many nodes each extra goroutine must have before
// nodes are redacted on more cores: nodes are independent, an SDK's
// default batch is 512 spans, and a goroutine costs about a microsecond
// against the few microseconds each node takes.
const parallelNodes = 128

// redactNodes redacts every node and returns the IDs they had before. A
// dry run records changes in node order, so it stays on one goroutine.
func (e *Engine) redactNodes(nodes []epg.Node, rec *recorder) []string {
	ids := make([]string, len(nodes))
	for i := range nodes {
		ids[i] = nodes[i].ID
	}
	workers := min(runtime.GOMAXPROCS(0), len(nodes)/parallelNodes)
	if rec != nil || workers < 2 {
		var m memo
		for i := range nodes {
			e.redactNode(&nodes[i], rec, &m)
		}
		return ids
	}
	var wg sync.WaitGroup
	per := (len(nodes) + workers - 1) / workers
	for lo := 0; lo < len(nodes); lo += per {
		part := nodes[lo:min(lo+per, len(nodes))]
		wg.Go(func() {
			var m memo
			for i := range part {
				e.redactNode(&part[i], nil, &m)
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
	// memo, when set, is the pass's memory of attribute positions.
	memo *memo
}

func (e *Engine) redactNode(n *epg.Node, rec *recorder, m *memo) {
	var t taint
	c := &ctx{e: e, rs: e.rulesFor(n.Service), node: n.ID, rec: rec, taint: &t, memo: m}
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
	for i, a := range as {
		var sl *memoSlot
		if c.memo != nil {
			sl = c.memo.slot(c.rs, i)
			if sl.key != a.Key {
				*sl = memoSlot{key: a.Key}
			}
		}
		key := a.Key
		switch {
		case sl != nil && sl.cleanKey:
		case len(key) >= 8 && !c.rs.cleanKeys.has(key):
			// Keys are evidence too: a map keyed by e-mail address, a
			// header named after a token.
			tainted := len(c.taint.keys)
			if k := c.text("@key", key); k != key {
				key, renamed = k, true
			} else if len(c.taint.keys) == tainted {
				c.rs.cleanKeys.add(key)
				if sl != nil {
					sl.cleanKey = true
				}
			}
		default:
			if sl != nil {
				sl.cleanKey = true
			}
		}
		if sl != nil && key != a.Key {
			*sl = memoSlot{} // a renamed key is never taken as known
			sl = nil
		}
		if sl != nil && sl.cleanValue(key, a.Value) {
			out = append(out, a)
			continue
		}
		var pl *keyPlan
		if sl != nil {
			if sl.plan == nil {
				sl.plan = c.plan(key)
			}
			pl = sl.plan
		}
		tainted := len(c.taint.keys)
		v, keep := c.attrPlanned(key, a.Value, pl)
		if sl != nil {
			sl.val = ""
			if keep && len(c.taint.keys) == tainted && a.Value.Kind() == epg.ValueString && v.Kind() == epg.ValueString && v.Str() == a.Value.Str() {
				sl.val = a.Value.Str()
			}
		}
		if keep {
			out = append(out, epg.Attr{Key: key, Value: v})
		}
	}
	if renamed {
		out = epg.SortAttrs(out)
	}
	return out
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

// Token replaces s with the keyed token the engine's key gives it under
// label (the same value always gets the same token, so tokens still join
// across evidence). The capture SDK uses it at the edge for values that
// are not allowlisted: their shape leaves the process, their content does
// not.
func (e *Engine) Token(label, s string) string { return e.tok.token(label, s) }
