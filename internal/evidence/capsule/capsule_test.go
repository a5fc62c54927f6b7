package capsule

import (
	"bytes"
	"context"
	"errors"
	"runtime/pprof"
	"testing"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	sdkcapsule "github.com/tagdebug/tag/sdk/go/capsule"
)

func sample(t testing.TB, withDump bool) []byte {
	c := &sdkcapsule.Capsule{ID: "c0ffee", Service: "shop", Route: "POST /pay", Promoted: sdkcapsule.PromotedPanic,
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Start: 1_700_000_000_000_000_000, Duration: 1_000_000,
		Request:  sdkcapsule.Request{Method: "POST", Path: "/pay", Body: `{"discount_code":"SPRING"}`, BodyKept: true},
		Response: sdkcapsule.Response{Status: 500},
		Panic:    &sdkcapsule.Panic{Type: "runtime.Error", Value: "nil pointer", Stack: "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n"}}
	if withDump {
		var b bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&b, 2)
		c.Attachments = []sdkcapsule.Attachment{{Kind: sdkcapsule.AttachGoroutines, Data: b.Bytes()}}
	}
	data, err := sdkcapsule.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestDecode: the input node carries the capsule for replay, tied to its
// span; the goroutine dump becomes threads; a traced panic is left to the
// span's exception event.
func TestDecode(t *testing.T) {
	f, err := Decoder{}.Decode(context.Background(), &evidence.Input{Name: "c.json", Data: sample(t, true)})
	if err != nil {
		t.Fatal(err)
	}
	var input *epg.Node
	threads, exceptions := 0, 0
	for i := range f.Nodes {
		n := &f.Nodes[i]
		switch {
		case n.Kind == epg.KindInput:
			input = n
		case n.Kind == epg.KindThread:
			threads++
		case n.EventType() == epg.EventException:
			exceptions++
		}
	}
	if input == nil || input.ID != InputNodeID("c0ffee") || input.Trace.SpanID != "b7ad6b7169203331" {
		t.Fatalf("input node %+v", input)
	}
	c, ok, err := FromNode(input)
	if err != nil || !ok || c.Request.Body != `{"discount_code":"SPRING"}` || len(c.Attachments) != 0 {
		t.Errorf("stored capsule %v %+v", err, c)
	}
	if threads == 0 || exceptions != 0 {
		t.Errorf("%d threads, %d exceptions", threads, exceptions)
	}
	var io bool
	for _, e := range f.Edges {
		if e.Kind == epg.EdgeIO && e.To == input.ID {
			io = true
		}
	}
	if !io {
		t.Error("no io edge from the span")
	}
}

// TestDecodeBad: a broken capsule names the offset.
func TestDecodeBad(t *testing.T) {
	data := sample(t, false)
	_, err := Decoder{}.Decode(context.Background(), &evidence.Input{Name: "c.json", Data: data[:40]})
	var pe *evidence.Error
	if !errors.As(err, &pe) || pe.File != "c.json" || pe.Offset == 0 {
		t.Fatalf("%v", err)
	}
	if (Decoder{}).Sniff(&evidence.Input{Data: data}) != evidence.Certain || (Decoder{}).Sniff(&evidence.Input{Data: []byte(`{"level":"info"}`)}) != evidence.No {
		t.Error("Sniff")
	}
}

// FuzzDecode: no input panics the decoder.
func FuzzDecode(f *testing.F) {
	f.Add(sample(f, false))
	f.Add(sample(f, true))
	f.Add([]byte(`{"tag_capsule":1,"id":"a","service":"s","promoted":"hang","request":{"method":"GET","path":"/"},"attachments":[{"kind":"goroutines","data":"Z29yb3V0aW5lIDEgW3J1bm5pbmddOgo="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		Decoder{}.Decode(context.Background(), &evidence.Input{Name: "fuzz", Data: data})
	})
}
