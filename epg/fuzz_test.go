package epg_test

import (
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/epg/epgpb"
	"google.golang.org/protobuf/proto"
)

func FuzzUnmarshalFragment(f *testing.F) {
	for _, frag := range []*epg.Fragment{{}, richFragment(), {Policy: "p", Nodes: []epg.Node{{ID: "a"}}}} {
		b, err := epg.MarshalFragment(frag)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	future, _ := proto.Marshal(&epgpb.Fragment{Version: epg.Version + 1})
	f.Add(future)
	f.Add([]byte{0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		frag, err := epg.UnmarshalFragment(data)
		if err != nil {
			return
		}
		b, err := epg.MarshalFragment(frag)
		if err != nil {
			t.Fatalf("decoded fragment does not re-encode: %v", err)
		}
		again, err := epg.UnmarshalFragment(b)
		if err != nil {
			t.Fatalf("re-encoded fragment does not decode: %v", err)
		}
		sameFragment(t, frag, again)
		// Whatever decodes must also build.
		b2 := epg.NewBuilder()
		b2.Add(frag)
		b2.Build()
	})
}
