package redact

import (
	"slices"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Taint: a node remembers what was found in it and replaced, so views for
// prompts and external sinks can leave out not only the secret (already
// a token) but the material around it — the log line that carried a
// password often says more than it should.
const (
	// AttrSensitivity is "secret" or "pii" on a node where something was
	// found and replaced; absent means nothing was.
	AttrSensitivity = "tag.sensitivity"
	// AttrTainted lists "key=class" for each tainted field: attribute
	// keys, "@name", "@id", "@loc.file", "@loc.function", "@thread".
	AttrTainted = "tag.tainted"
	// maxTainted bounds the list; beyond it "*" taints the whole node.
	maxTainted = 64
)

type taint struct {
	keys map[string]Class
}

func (t *taint) add(key string, c Class) {
	if t.keys == nil {
		t.keys = map[string]Class{}
	}
	if old, ok := t.keys[key]; !ok || old != ClassSecret {
		if c != ClassSecret && c != ClassNone {
			c = Class("pii")
		}
		t.keys[key] = c
	}
}

// stamp merges the taint into the node's attributes, keeping taint from
// earlier passes: redaction is idempotent and taint only grows.
func (t *taint) stamp(as epg.Attrs) epg.Attrs {
	if len(t.keys) == 0 {
		return as
	}
	entries := map[string]string{}
	for _, e := range stringList(as, AttrTainted) {
		if i := strings.LastIndexByte(e, '='); i > 0 {
			entries[e[:i]] = e[i+1:]
		}
	}
	sens := as.Str(AttrSensitivity)
	for k, c := range t.keys {
		if entries[k] != "secret" {
			entries[k] = string(c)
		}
		if c == ClassSecret || sens == "" {
			sens = string(c)
		}
	}
	list := make([]string, 0, len(entries))
	for k, c := range entries {
		list = append(list, k+"="+c)
	}
	slices.Sort(list)
	if len(list) > maxTainted {
		list = []string{"*=" + sens}
	}
	vals := make([]epg.Value, len(list))
	for i, e := range list {
		vals[i] = epg.String(e)
	}
	as = as.Set(AttrSensitivity, epg.String(sens))
	return as.Set(AttrTainted, epg.Array(vals...))
}

// Sensitivity returns a node's taint: "secret", "pii" or "none".
func Sensitivity(n *epg.Node) string {
	if s := n.Attrs.Str(AttrSensitivity); s != "" {
		return s
	}
	return string(ClassNone)
}

// ModelView says what a model view keeps.
type ModelView struct {
	// KeepPII keeps fields tainted only by PII (their values are tokens
	// already); secret-tainted fields are always withheld.
	KeepPII bool
}

// ForModel returns a copy of f for prompts and external sinks with every
// tainted field withheld: the value becomes "<withheld:secret>" (or
// "<withheld:pii>") so the model still sees that there was one.
func ForModel(f *epg.Fragment) *epg.Fragment { return ForModelWith(f, ModelView{}) }

// ForModelWith is ForModel with options.
func ForModelWith(f *epg.Fragment, mv ModelView) *epg.Fragment {
	out := cloneFragment(f)
	for i := range out.Nodes {
		n := &out.Nodes[i]
		tainted := taintedKeys(n)
		if len(tainted) == 0 {
			continue
		}
		withheld := func(key string) (string, bool) {
			c, ok := classOf(tainted, key)
			if !ok || mv.KeepPII && c == "pii" {
				return "", false
			}
			return "<withheld:" + c + ">", true
		}
		if w, ok := withheld("@name"); ok {
			n.Name = w
		}
		if w, ok := withheld("@thread"); ok {
			n.Thread = w
		}
		if n.Loc != nil {
			loc := *n.Loc
			if w, ok := withheld("@loc.file"); ok {
				loc.File = w
			}
			if w, ok := withheld("@loc.function"); ok {
				loc.Function = w
			}
			n.Loc = &loc
		}
		for j := range n.Attrs {
			a := &n.Attrs[j]
			if a.Key == AttrSensitivity || a.Key == AttrTainted {
				continue
			}
			if w, ok := withheld(a.Key); ok {
				a.Value = epg.String(w)
			}
		}
	}
	return out
}

func taintedKeys(n *epg.Node) map[string]string {
	list := stringList(n.Attrs, AttrTainted)
	if len(list) == 0 {
		return nil
	}
	m := make(map[string]string, len(list))
	for _, e := range list {
		if i := strings.LastIndexByte(e, '='); i > 0 {
			m[e[:i]] = e[i+1:]
		}
	}
	return m
}

// classOf finds the taint of a field: its own entry, an entry for a part
// of it (user.email inside log.body, a query parameter of url.full), or
// the whole-node "*".
func classOf(tainted map[string]string, key string) (string, bool) {
	if c, ok := tainted[key]; ok {
		return c, true
	}
	best, found := "", false
	for k, c := range tainted {
		if len(k) > len(key) && strings.HasPrefix(k, key) && (k[len(key)] == '.' || k[len(key)] == '?') {
			if !found || c == "secret" {
				best, found = c, true
			}
		}
	}
	if found {
		return best, true
	}
	c, ok := tainted["*"]
	return c, ok
}

func stringList(as epg.Attrs, key string) []string {
	v, ok := as.Get(key)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range v.ArrayVal() {
		out = append(out, e.AsString())
	}
	return out
}
