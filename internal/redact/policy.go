package redact

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Action is what a field rule does to a value.
type Action string

// Field actions. Detectors run after every action that leaves text
// behind, allow included: a policy can widen what is kept, never let a
// detected secret through.
const (
	ActAllow    Action = "allow"    // keep the value; detectors still run
	ActDrop     Action = "drop"     // remove the attribute (or body field)
	ActHash     Action = "hash"     // <hash:16 hex>, keyed, joinable
	ActTokenize Action = "tokenize" // <token:label:12 hex>, keyed, joinable
	ActTruncate Action = "truncate" // keep the first Length bytes
	ActSchema   Action = "schema"   // keep type and shape, drop content
)

var fieldActions = []Action{ActAllow, ActDrop, ActHash, ActTokenize, ActTruncate, ActSchema}
var piiActions = []Action{ActAllow, ActHash, ActTokenize}

// FieldRule applies Action to the fields whose name matches the glob
// Match. Rules are tried in order; the first match wins.
type FieldRule struct {
	Match  string `json:"match"`
	Action Action `json:"action"`
	// Length is the byte length kept by truncate.
	Length int `json:"length,omitempty"`
}

// Rules is the part of a policy a service can override.
type Rules struct {
	// Attributes match attribute keys (span, resource.*, log and event
	// attributes) case-sensitively.
	Attributes []FieldRule `json:"attributes,omitempty"`
	// Headers match HTTP header names, lower-cased, of the
	// http.request.header.* and http.response.header.* attributes.
	Headers []FieldRule `json:"headers,omitempty"`
	// Query matches URL query parameter names, lower-cased, in the
	// attributes listed under URLs.
	Query []FieldRule `json:"query,omitempty"`
	// LogBody matches paths into structured log bodies: "body.user.email".
	// Arrays are transparent: "body.items.sku" is every item's sku.
	LogBody []FieldRule `json:"log_body,omitempty"`
	// BodyAllow lists the paths of request/response bodies that survive;
	// everything else in a body becomes its schema.
	BodyAllow []string `json:"body_allow,omitempty"`
	// PII says, per class, whether detected PII is allowed, hashed or
	// tokenized.
	PII map[Class]Action `json:"pii,omitempty"`
}

// Policy is a parsed redaction policy.
type Policy struct {
	Rules
	// Bodies selects the attributes treated as request/response bodies
	// (default deny) and the exceptions.
	Bodies BodySpec `json:"bodies"`
	// URLs and SQL list attribute globs that hold URLs and SQL statements.
	URLs []string `json:"urls,omitempty"`
	SQL  []string `json:"sql,omitempty"`
	// Services overrides Rules per service.name: a service's rules are
	// tried before the global ones, and its PII settings win.
	Services map[string]Rules `json:"services,omitempty"`

	source  string
	version string
}

// BodySpec selects body attributes.
type BodySpec struct {
	Match  []string `json:"match,omitempty"`
	Except []string `json:"except,omitempty"`
}

// Version is the policy's content hash: "p-" and 12 hex digits of the
// SHA-256 of its normalised JSON form, so formatting and comments do not
// change it and any change of meaning does.
func (p *Policy) Version() string { return p.version }

// Source names where the policy came from (a file name or "builtin").
func (p *Policy) Source() string { return p.source }

//go:embed default_policy.yaml
var defaultPolicyYAML []byte

// DefaultPolicyYAML returns the built-in policy's text, for `tag redact
// --print-default` and as a starting point for custom policies.
func DefaultPolicyYAML() []byte { return slices.Clone(defaultPolicyYAML) }

// DefaultPolicy returns the built-in policy.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy("builtin", defaultPolicyYAML)
	if err != nil {
		panic("redact: built-in policy: " + err.Error())
	}
	return p
}

// LoadPolicy reads and parses a policy file.
func LoadPolicy(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParsePolicy(path, data)
}

// PolicyError is a policy problem at a position in its file.
type PolicyError struct {
	File      string
	Line, Col int
	Msg       string
}

// Error renders the problem as file:line:col: message.
func (e *PolicyError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// ParsePolicy parses a YAML policy; name is used in error positions.
// Unknown fields, unknown actions and malformed globs are errors: a typo
// in a redaction policy must not silently keep data.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscan(m[1], &line)
		}
		return nil, &PolicyError{File: name, Line: line, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	p := &Policy{source: name}
	ps := &parser{file: name}
	if len(doc.Content) > 0 {
		if err := ps.policy(doc.Content[0], p); err != nil {
			return nil, err
		}
	}
	p.version = versionOf(p)
	return p, nil
}

func versionOf(p *Policy) string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	return "p-" + hex.EncodeToString(sum[:6])
}
