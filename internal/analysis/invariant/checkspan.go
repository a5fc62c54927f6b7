package invariant

import (
	"slices"
	"time"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/analysis/diff/cohort"
)

// spanBreaks checks a span-level invariant on span i of t and says what
// was observed when it breaks.
func spanBreaks(inv *Invariant, t *cohort.Trace, i int) (string, bool) {
	n := t.Node(i)
	switch inv.Kind {
	case Status:
		s := statusOf(n)
		if msg := n.Attrs.Str(epg.AttrStatusMessage); msg != "" {
			return s + ": " + msg, !slices.Contains(inv.Values, s)
		}
		return s, !slices.Contains(inv.Values, s)
	case Duration:
		d := n.Duration()
		return time.Duration(d).String(), !inv.Bounds.holds(float64(d))
	case ChildOf:
		p := "no caller"
		if k := t.Spans[i].Parent; k >= 0 {
			p = t.Spans[k].Type
		}
		return p, p != inv.Other
	case NonNull:
		_, ok := n.Attr(inv.Key)
		return "absent", !ok
	}
	v, ok := n.Attr(inv.Key)
	if !ok {
		return "", false // NonNull's business
	}
	return v.AsString(), !valueHolds(inv, v)
}

func valueHolds(inv *Invariant, v epg.Value) bool {
	if inv.Kind == Range {
		k := v.Kind()
		return (k == epg.ValueInt || k == epg.ValueFloat) && inv.Bounds.holds(v.FloatVal())
	}
	k := v.Kind()
	return (k == epg.ValueString || k == epg.ValueBool) && slices.Contains(inv.Values, v.AsString())
}
