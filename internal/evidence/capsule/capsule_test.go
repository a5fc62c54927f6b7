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

// TestSlowSnapshotBelongsToRequest: a latency capsule's slow-request
// dump becomes a note of the request — emitted by its input node, in its
// trace — and no verdict.
func TestSlowSnapshotBelongsToRequest(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(sdkcapsule.SlowHeader + "1 requests past the 2s latency threshold: POST /v1/checkout\n\n")
	pprof.Lookup("goroutine").WriteTo(&b, 2)
	c := &sdkcapsule.Capsule{ID: "5105", Service: "shop", Route: "POST /v1/checkout", Promoted: sdkcapsule.PromotedLatency,
		TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Start: 1_700_000_000_000_000_000, Duration: 2_100_000_000,
		Request:     sdkcapsule.Request{Method: "POST", Path: "/v1/checkout"},
		Attachments: []sdkcapsule.Attachment{{Kind: sdkcapsule.AttachGoroutines, Data: b.Bytes()}}}
	data, err := sdkcapsule.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decoder{}.Decode(context.Background(), &evidence.Input{Name: "c.json", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	var note *epg.Node
	for i := range f.Nodes {
		switch n := &f.Nodes[i]; n.EventType() {
		case epg.EventSlow:
			note = n
		case epg.EventBlocked, epg.EventDeadlock, epg.EventPanic:
			t.Errorf("a slow snapshot declared a %s verdict", n.EventType())
		}
	}
	if note == nil || note.Trace.TraceID != c.TraceID || note.Trace.SpanID != c.SpanID {
		t.Fatalf("slow note %+v", note)
	}
	var emitted bool
	for _, e := range f.Edges {
		emitted = emitted || e.From == InputNodeID(c.ID) && e.To == note.ID && e.Kind == epg.EdgeEmits
	}
	if !emitted {
		t.Error("the request's input node does not emit the slow note")
	}
}
