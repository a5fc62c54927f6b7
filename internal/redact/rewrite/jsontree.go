package rewrite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// jnode is a JSON value that keeps its object keys in input order, so a
// redacted copy differs from the original only where values changed.
type jnode struct {
	kind    byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	keys    []string
	vals    []*jnode // object values (parallel to keys) or array items
	text    string   // string value, number literal, "true"/"false"
	dropped bool     // set by the walker: leave this node out of its parent
}

// parseJSONStream reads every top-level value of data (one document, or
// one per line as structured logs are).
func parseJSONStream(data []byte) ([]*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []*jnode
	for {
		n, err := parseValue(dec)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("rewrite: byte %d: %w", dec.InputOffset(), err)
		}
		out = append(out, n)
	}
}

func parseValue(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return parseObject(dec)
		case '[':
			return parseArray(dec)
		}
		return nil, fmt.Errorf("unexpected %q", t)
	case string:
		return &jnode{kind: 's', text: t}, nil
	case json.Number:
		return &jnode{kind: 'n', text: t.String()}, nil
	case bool:
		return &jnode{kind: 'b', text: strconv.FormatBool(t)}, nil
	default:
		return &jnode{kind: 'z'}, nil
	}
}

func parseObject(dec *json.Decoder) (*jnode, error) {
	n := &jnode{kind: 'o'}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		v, err := parseValue(dec)
		if err != nil {
			return nil, err
		}
		n.keys = append(n.keys, k)
		n.vals = append(n.vals, v)
	}
	_, err := dec.Token() // '}'
	return n, err
}

func parseArray(dec *json.Decoder) (*jnode, error) {
	n := &jnode{kind: 'a'}
	for dec.More() {
		v, err := parseValue(dec)
		if err != nil {
			return nil, err
		}
		n.vals = append(n.vals, v)
	}
	_, err := dec.Token() // ']'
	return n, err
}

// field returns the value of an object's key, or nil.
func (n *jnode) field(key string) *jnode {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// encode writes n compactly; the caller indents when the input was.
func (n *jnode) encode(b *bytes.Buffer) {
	switch n.kind {
	case 'o':
		b.WriteByte('{')
		first := true
		for i, k := range n.keys {
			if n.vals[i].dropped {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			writeString(b, k)
			b.WriteByte(':')
			n.vals[i].encode(b)
		}
		b.WriteByte('}')
	case 'a':
		b.WriteByte('[')
		first := true
		for _, v := range n.vals {
			if v.dropped {
				continue
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			v.encode(b)
		}
		b.WriteByte(']')
	case 's':
		writeString(b, n.text)
	case 'n', 'b':
		b.WriteString(n.text)
	default:
		b.WriteString("null")
	}
}

func writeString(b *bytes.Buffer, s string) {
	// Tokens are <token:…>: keep them readable rather than \u003c-escaped.
	// (Un-escaping Marshal's output by replacement broke strings holding a
	// backslash before one of those characters.)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}
