package capture

import (
	"bytes"
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// edge redacts one capsule's request and responses: allowlisted values
// pass the policy and detectors, everything else leaves as a token.
type edge struct {
	r      *Recorder
	fields []string // paths tokenized or dropped, for the capsule's record
}

func (r *Recorder) edge() *edge { return &edge{r: r} }

func epgString(s string) epg.Value { return epg.String(s) }

// value redacts an allowlisted value under the policy's rule for key.
func (e *edge) value(key, v string) (string, bool) {
	out, keep := e.r.eng.RedactAttr(e.r.opts.Service, key, epg.String(v))
	if !keep {
		e.fields = append(e.fields, key)
		return "", false
	}
	s := out.AsString()
	if s != v {
		e.fields = append(e.fields, key)
	}
	return s, true
}

// token replaces a value that is not allowlisted.
func (e *edge) token(key, label, v string) string {
	if v == "" {
		return v
	}
	e.fields = append(e.fields, key)
	return e.r.eng.Token(label, v)
}

// headers redacts a header set; prefix names the paths ("header." or
// "outbound.header.").
func (e *edge) headers(prefix string, h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for name, vals := range h {
		lname := strings.ToLower(name)
		key := "http.request.header." + lname
		vs := make([]string, 0, len(vals))
		for _, v := range vals {
			switch {
			case e.r.headers[lname]:
				if s, keep := e.value(key, v); keep {
					vs = append(vs, s)
				}
			case lname == "authorization" || lname == "proxy-authorization" || lname == "cookie" || lname == "set-cookie":
				// The policy's structured shapes (scheme only, cookie
				// names with tokens) say more than a bare token.
				if s, keep := e.value(key, v); keep {
					vs = append(vs, s)
				}
			default:
				vs = append(vs, e.token(prefix+name, lname, v))
			}
		}
		if len(vs) > 0 {
			out[name] = vs
		}
	}
	return out
}

// query redacts a raw query string value by value.
func (e *edge) query(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return e.token("query", "query", raw)
	}
	out := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			if e.r.fields[k] {
				if s, keep := e.value("url.query."+k, v); keep {
					out.Add(k, s)
				}
				continue
			}
			out.Add(k, e.token("query."+k, k, v))
		}
	}
	return out.Encode()
}

// body redacts a request body by its media type: JSON and form bodies
// keep their shape; others are kept (through the detectors) only for
// routes in RawBodyRoutes. A body of an allowlisted response (all true)
// is kept whole, through the policy and detectors.
func (e *edge) body(route, contentType string, b []byte, all bool) (string, bool) {
	if len(b) == 0 {
		return "", true
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && json.Valid(b)):
		var x any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&x) != nil {
			break
		}
		var red any
		if all {
			red = e.allowed("http.response.body", x)
		} else {
			red = e.json("", x)
		}
		out, err := json.Marshal(red)
		if err != nil {
			break
		}
		return string(out), true
	case mt == "application/x-www-form-urlencoded":
		return e.query(string(b)), true
	}
	if all || e.r.raw[route] {
		s := e.r.eng.RedactText(string(b))
		if s != string(b) {
			e.fields = append(e.fields, "body")
		}
		return s, true
	}
	e.fields = append(e.fields, "body")
	return "", false
}

// json walks a decoded JSON value. path is the dotted path of x.
func (e *edge) json(path string, x any) any {
	switch v := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if nv, keep := e.jsonField(p, k, c); keep {
				out[k] = nv
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = e.json(path, c)
		}
		return out
	}
	return x
}

// jsonField redacts one member: allowlisted by name or path, or not.
func (e *edge) jsonField(path, name string, x any) (any, bool) {
	key := "http.request.body." + path
	allowed := e.r.fields[name] || e.r.fields[path]
	switch v := x.(type) {
	case string:
		if allowed {
			return e.value(key, v)
		}
		return e.token(key, name, v), true
	case json.Number:
		// Numbers keep the body's shape and rarely are secrets; a policy
		// rule on the name or a detector (a card number) still wins.
		s, keep := e.value(key, v.String())
		if !keep {
			return nil, false
		}
		if s != v.String() {
			return s, true
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return v, true
		}
		return s, true
	case map[string]any, []any:
		if allowed {
			// An allowlisted object keeps its members in the clear (after
			// the detectors).
			return e.allowed(key, v), true
		}
		return e.json(path, v), true
	}
	return x, true
}

// allowed keeps an allowlisted subtree, through the detectors.
func (e *edge) allowed(key string, x any) any {
	switch v := x.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			if nv := e.allowed(key+"."+k, c); nv != nil {
				out[k] = nv
			}
		}
		return out
	case []any:
		out := make([]any, 0, len(v))
		for _, c := range v {
			out = append(out, e.allowed(key, c))
		}
		return out
	case string:
		s, _ := e.value(key, v)
		return s
	}
	return x
}
