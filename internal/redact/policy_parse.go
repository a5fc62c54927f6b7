package redact

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parser walks the YAML node tree by hand so every error can name the
// line and column of the offending node.
type parser struct{ file string }

func (ps *parser) errf(n *yaml.Node, format string, args ...any) error {
	return &PolicyError{File: ps.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// fields calls f for each key of a mapping, refusing keys not in known.
func (ps *parser) fields(n *yaml.Node, what string, known []string, f func(key string, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return ps.errf(n, "%s: want a mapping", what)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if known != nil && !slices.Contains(known, k.Value) {
			return ps.errf(k, "%s: unknown field %q (want one of %s)", what, k.Value, strings.Join(known, ", "))
		}
		if err := f(k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

var rulesFields = []string{"attributes", "headers", "query", "log_body", "body_allow", "pii"}

func (ps *parser) policy(n *yaml.Node, p *Policy) error {
	known := append([]string{"version", "bodies", "urls", "sql", "services"}, rulesFields...)
	return ps.fields(n, "policy", known, func(k string, v *yaml.Node) error {
		switch k {
		case "version":
			if v.Value != "1" {
				return ps.errf(v, "version: unsupported policy version %q (want 1)", v.Value)
			}
			return nil
		case "bodies":
			return ps.fields(v, "bodies", []string{"match", "except"}, func(k string, v *yaml.Node) error {
				var err error
				if k == "match" {
					p.Bodies.Match, err = ps.globs(v, "bodies.match", false)
				} else {
					p.Bodies.Except, err = ps.globs(v, "bodies.except", false)
				}
				return err
			})
		case "urls":
			var err error
			p.URLs, err = ps.globs(v, "urls", false)
			return err
		case "sql":
			var err error
			p.SQL, err = ps.globs(v, "sql", false)
			return err
		case "services":
			return ps.fields(v, "services", nil, func(svc string, v *yaml.Node) error {
				if p.Services == nil {
					p.Services = map[string]Rules{}
				}
				var r Rules
				if err := ps.fields(v, "services."+svc, rulesFields, func(k string, v *yaml.Node) error {
					return ps.rulesField(&r, "services."+svc+"."+k, k, v)
				}); err != nil {
					return err
				}
				p.Services[svc] = r
				return nil
			})
		}
		return ps.rulesField(&p.Rules, k, k, v)
	})
}

func (ps *parser) rulesField(r *Rules, what, k string, v *yaml.Node) error {
	var err error
	switch k {
	case "attributes":
		r.Attributes, err = ps.fieldRules(v, what, false)
	case "headers":
		r.Headers, err = ps.fieldRules(v, what, true)
	case "query":
		r.Query, err = ps.fieldRules(v, what, true)
	case "log_body":
		r.LogBody, err = ps.fieldRules(v, what, false)
	case "body_allow":
		r.BodyAllow, err = ps.globs(v, what, false)
	case "pii":
		r.PII = map[Class]Action{}
		err = ps.fields(v, what, classNames(), func(c string, v *yaml.Node) error {
			a := Action(v.Value)
			if v.Kind != yaml.ScalarNode || !slices.Contains(piiActions, a) {
				return ps.errf(v, "%s.%s: unknown PII action %q (want allow, hash or tokenize)", what, c, v.Value)
			}
			r.PII[Class(c)] = a
			return nil
		})
	}
	return err
}

func classNames() []string {
	var s []string
	for _, c := range PIIClasses {
		s = append(s, string(c))
	}
	return s
}

func (ps *parser) globs(n *yaml.Node, what string, lower bool) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, ps.errf(n, "%s: want a list of globs", what)
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.Value == "" {
			return nil, ps.errf(e, "%s: want a non-empty glob", what)
		}
		g := e.Value
		if lower {
			g = strings.ToLower(g)
		}
		out = append(out, g)
	}
	return out, nil
}

func (ps *parser) fieldRules(n *yaml.Node, what string, lower bool) ([]FieldRule, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, ps.errf(n, "%s: want a list of rules", what)
	}
	var out []FieldRule
	for i, e := range n.Content {
		where := fmt.Sprintf("%s[%d]", what, i)
		var r FieldRule
		var actNode *yaml.Node
		err := ps.fields(e, where, []string{"match", "action", "length"}, func(k string, v *yaml.Node) error {
			if v.Kind != yaml.ScalarNode {
				return ps.errf(v, "%s.%s: want a scalar", where, k)
			}
			switch k {
			case "match":
				r.Match = v.Value
				if lower {
					r.Match = strings.ToLower(r.Match)
				}
			case "action":
				r.Action, actNode = Action(v.Value), v
			case "length":
				if _, err := fmt.Sscan(v.Value, &r.Length); err != nil || r.Length <= 0 {
					return ps.errf(v, "%s.length: want a positive integer, got %q", where, v.Value)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		switch {
		case r.Match == "":
			return nil, ps.errf(e, "%s: missing match", where)
		case actNode == nil:
			return nil, ps.errf(e, "%s: missing action", where)
		case !slices.Contains(fieldActions, r.Action):
			return nil, ps.errf(actNode, "%s.action: unknown action %q (want allow, drop, hash, tokenize, truncate or schema)", where, r.Action)
		case r.Action == ActTruncate && r.Length == 0:
			return nil, ps.errf(actNode, "%s: truncate needs a length", where)
		case r.Action != ActTruncate && r.Length != 0:
			return nil, ps.errf(e, "%s: length only goes with truncate", where)
		}
		out = append(out, r)
	}
	return out, nil
}
