package query

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// selectorKinds maps the selector functions to the node kind each
// selects; node('id') selects any kind.
var selectorKinds = map[string]epg.NodeKind{
	"node": epg.KindUnspecified, "span": epg.KindSpan, "frame": epg.KindFrame, "event": epg.KindEvent,
	"thread": epg.KindThread, "lock": epg.KindLock, "object": epg.KindObject,
	"resource": epg.KindResource, "input": epg.KindInput,
}

// selects reports whether node n of kind k is named by s, in the sense
// of the selector functions documented in the package comment.
func selects(k epg.NodeKind, n *epg.Node, s string) bool {
	if k != epg.KindUnspecified && n.Kind != k {
		return false
	}
	if n.ID == s {
		return true
	}
	switch k {
	case epg.KindEvent:
		return eventSelects(n, s)
	case epg.KindFrame:
		return n.Name == s || functionMatches(function(n), s) || locationMatches(n, s)
	case epg.KindSpan:
		return n.Name == s || n.Trace.SpanID == s
	case epg.KindThread:
		return n.Name == s || n.Thread == s || n.Attrs.Str(epg.AttrThreadID) == s
	case epg.KindLock:
		return n.Name == s || n.Attrs.Str(epg.AttrLockAddr) == s || typeMatches(n.Attrs.Str(epg.AttrLockClass), s)
	case epg.KindObject:
		return n.Name == s || typeMatches(typeName(n), s) || n.Attrs.Str("object.address") == s
	case epg.KindResource:
		return strings.EqualFold(n.Name, s) || n.ID == epg.ResourceNodeID(s)
	case epg.KindUnspecified:
		return false
	}
	return n.Name == s
}

// eventSelects: an event is named by its ID, its name, its exception
// type (qualified or not) or its event type (any case); or by "T:K",
// where T names its type as above and K is a key the event carries: the
// end of its ID, a value of one of its attributes, or part of its
// message ('Exception:E12345').
func eventSelects(n *epg.Node, s string) bool {
	if eventTypeIs(n, s) {
		return true
	}
	t, key, ok := strings.Cut(s, ":")
	if !ok || key == "" || !eventTypeIs(n, t) {
		return false
	}
	if strings.HasSuffix(n.ID, ":"+key) || strings.HasSuffix(n.ID, "/"+key) || n.Name == key {
		return true
	}
	if strings.Contains(n.Attrs.Str(epg.AttrExceptionMsg), key) {
		return true
	}
	for _, a := range n.Attrs {
		if a.Value.Kind() == epg.ValueString && a.Value.Str() == key {
			return true
		}
	}
	return false
}

func eventTypeIs(n *epg.Node, t string) bool {
	return n.Name == t || typeMatches(n.Attrs.Str(epg.AttrExceptionType), t) || strings.EqualFold(n.EventType(), t)
}
