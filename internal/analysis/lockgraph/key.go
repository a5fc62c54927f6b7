package lockgraph

import (
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Key returns a lock's identity across occurrences. Lock node IDs are
// scoped to the artifact and carry addresses, which change from run to
// run; the name a decoder gives ("(*Store).mu", "MonitorDeadlock.LEDGER
// (java.lang.Object <0x…>)") mostly does not. Key is that name without
// addresses, else the lock's class, else its node ID.
func Key(n *epg.Node) string {
	name := n.Name
	if i := strings.Index(name, " ("); i > 0 && strings.Contains(name[i:], "<0x") {
		name = name[:i]
	}
	var kept []string
	for _, f := range strings.Fields(name) {
		if !isAddress(f) {
			kept = append(kept, f)
		}
	}
	if k := strings.Join(kept, " "); k != "" {
		return k
	}
	if c := n.Attrs.Str(epg.AttrLockClass); c != "" {
		return c
	}
	return n.ID
}

// isAddress reports whether a word of a name is a printed address:
// "0xc0000140a0", "<0x000000069ec196e8>".
func isAddress(w string) bool {
	w = strings.Trim(w, "<>(),")
	if len(w) < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X') {
		return false
	}
	for _, c := range w[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// displayName is the lock's name without the object address a JVM lock
// named from source carries in parentheses, else its key.
func displayName(n *epg.Node) string {
	if n.Name == "" {
		return Key(n)
	}
	if i := strings.Index(n.Name, " ("); i > 0 && strings.Contains(n.Name[i:], "<0x") {
		return n.Name[:i]
	}
	return n.Name
}
