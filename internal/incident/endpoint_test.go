package incident

import (
	"testing"

	"github.com/tagdebug/tag/epg"
)

// TestSpanEndpoint: the method prefixes an OpenTelemetry route once, and
// a Go mux pattern that already names its method is taken as it is.
func TestSpanEndpoint(t *testing.T) {
	for _, tc := range []struct{ route, method, want string }{
		{"/pay", "POST", "POST /pay"},
		{"POST /pay", "POST", "POST /pay"},
		{"/users/{id}", "", "/users/{id}"},
	} {
		n := &epg.Node{Attrs: epg.SortAttrs([]epg.Attr{{Key: epg.AttrHTTPRoute, Value: epg.String(tc.route)}})}
		if tc.method != "" {
			n.Attrs = epg.SortAttrs(append(n.Attrs, epg.Attr{Key: "http.request.method", Value: epg.String(tc.method)}))
		}
		if got := spanEndpoint(n); got != tc.want {
			t.Errorf("route %q method %q: %q, want %q", tc.route, tc.method, got, tc.want)
		}
	}
}
