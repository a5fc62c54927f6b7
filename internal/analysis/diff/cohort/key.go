package cohort

import "github.com/tagdebug/tag/epg"

// Key says which traces are comparable: those entering the same service
// through the same endpoint, of the same version when one is known.
type Key struct {
	Service  string `json:"service"`
	Endpoint string `json:"endpoint"`
	Version  string `json:"version,omitempty"`
}

// String renders the key for humans: "checkout GET /cart/{id} @1.4.2".
func (k Key) String() string {
	s := k.Service + " " + k.Endpoint
	if k.Version != "" {
		s += " @" + k.Version
	}
	return s
}

// Admits reports whether a trace with key o belongs to k's cohort: same
// service and endpoint, and the same version when k names one.
func (k Key) Admits(o Key) bool {
	return k.Service == o.Service && k.Endpoint == o.Endpoint && (k.Version == "" || k.Version == o.Version)
}

// Key returns the trace's endpoint key, read off its root span the way
// package incident names endpoints: the HTTP method and route, else the
// RPC service and method, else the normalised operation.
func (t *Trace) Key() Key {
	root := t.Root()
	return Key{Service: root.Service, Endpoint: endpoint(root), Version: version(root)}
}

func endpoint(n *epg.Node) string {
	if r := n.Attrs.Str(epg.AttrHTTPRoute); r != "" {
		if m := n.Attrs.Str("http.request.method"); m != "" {
			return m + " " + r
		}
		return r
	}
	if m := n.Attrs.Str("rpc.method"); m != "" {
		return n.Attrs.Str("rpc.service") + "/" + m
	}
	return Operation(n)
}

// version reads service.version, which OTLP carries as a resource
// attribute (and the OTLP decoder prefixes with "resource.").
func version(n *epg.Node) string {
	if v := n.Attrs.Str("resource.service.version"); v != "" {
		return v
	}
	return n.Attrs.Str("service.version")
}

// Failed reports whether any span of the trace failed: an error status,
// or a server span answering with an HTTP 5xx.
func (t *Trace) Failed() bool {
	for s := range t.Spans {
		if SpanFailed(t.Node(s)) {
			return true
		}
	}
	return false
}

// SpanFailed reports whether one span failed (the rule of [Trace.Failed]).
func SpanFailed(n *epg.Node) bool {
	if n.Attrs.Str(epg.AttrStatusCode) == "error" {
		return true
	}
	if n.Attrs.Str(epg.AttrSpanKind) != "server" {
		return false
	}
	for _, k := range []string{epg.AttrHTTPStatus, "http.status_code"} {
		if v, ok := n.Attr(k); ok && v.FloatVal() >= 500 {
			return true
		}
	}
	return false
}
