package lockgraph

import (
	"testing"

	"github.com/tagdebug/tag/epg"
)

func TestKeyDropsAddresses(t *testing.T) {
	for _, c := range []struct {
		node epg.Node
		want string
	}{
		{epg.Node{ID: "lock:a:0x1", Name: "(*Store).mu"}, "(*Store).mu"},
		{epg.Node{ID: "lock:a:0x1", Name: "MonitorDeadlock.LEDGER (java.lang.Object <0x000000069ec196e8>)"}, "MonitorDeadlock.LEDGER"},
		{epg.Node{ID: "lock:a:0x1", Name: "java.lang.ref.ReferenceQueue$Lock <0x000000069ec02f40>"}, "java.lang.ref.ReferenceQueue$Lock"},
		{epg.Node{ID: "lock:a:0x1", Name: "mutex 0xc0000140a0 (locked in main.(*Store).Transfer)"}, "mutex (locked in main.(*Store).Transfer)"},
		{epg.Node{ID: "lock:a:0x1", Name: "<0x0000abcd>", Attrs: epg.Attrs{{Key: epg.AttrLockClass, Value: epg.String("java.lang.Object")}}}, "java.lang.Object"},
		{epg.Node{ID: "lock:a:0x1"}, "lock:a:0x1"},
	} {
		if got := Key(&c.node); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.node.Name, got, c.want)
		}
	}
}
