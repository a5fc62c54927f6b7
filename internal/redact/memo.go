package redact

import "github.com/tagdebug/tag/epg"

// memo remembers, for one goroutine's pass over a fragment's nodes, what
// the attribute at each position of the nodes before resolved to. The
// spans of one batch mostly repeat their keys in the same order, and many
// of their values (methods, routes, hosts); decoders intern those
// strings, so recognising a repeat is a pointer comparison, where the
// ruleset's shared caches cost a concurrent-map lookup each — three per
// attribute, which was half of redaction's time on an OTLP batch.
//
// A memo only ever skips work whose outcome is already known: a key the
// detectors found clean, the plan of a key, and a string value that came
// out of the whole attribute pipeline unchanged and untainted under the
// same key and ruleset.
type memo struct {
	rs    *ruleset
	slots []memoSlot
}

// memoSlot is what one attribute position last resolved to.
type memoSlot struct {
	key      string   // the key as it arrived; "" when nothing is known
	cleanKey bool     // the detectors found nothing in key
	plan     *keyPlan // what the rules decide for key
	val      string   // a string value found clean under key; "" if none
}

// slot returns position i's slot for ruleset rs, forgetting everything
// when the ruleset changes (nodes of another service).
func (m *memo) slot(rs *ruleset, i int) *memoSlot {
	if m.rs != rs {
		m.rs = rs
		clear(m.slots)
	}
	for len(m.slots) <= i {
		m.slots = append(m.slots, memoSlot{})
	}
	return &m.slots[i]
}

// cleanValue reports whether v is the string value sl last found clean
// under the same key.
func (sl *memoSlot) cleanValue(key string, v epg.Value) bool {
	return sl.val != "" && sl.key == key && v.Kind() == epg.ValueString && v.Str() == sl.val
}
