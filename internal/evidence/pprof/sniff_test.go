package pprof

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/tagdebug/tag/internal/evidence"
)

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	z, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(z); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(data)
	z.Close()
	return b.Bytes()
}

// otlpTraces builds a small OTLP ExportTraceServiceRequest: like a
// profile it opens with field 1, length-delimited, but holds a message.
func otlpTraces() []byte {
	kv := protowire.AppendTag(nil, 1, protowire.BytesType)
	kv = protowire.AppendString(kv, "service.name")
	val := protowire.AppendTag(nil, 1, protowire.BytesType)
	val = protowire.AppendString(val, "checkout")
	kv = protowire.AppendTag(kv, 2, protowire.BytesType)
	kv = protowire.AppendBytes(kv, val)
	res := protowire.AppendTag(nil, 1, protowire.BytesType)
	res = protowire.AppendBytes(res, kv)
	span := protowire.AppendTag(nil, 1, protowire.BytesType)
	span = protowire.AppendBytes(span, bytes.Repeat([]byte{0xab}, 16))
	scope := protowire.AppendTag(nil, 2, protowire.BytesType)
	scope = protowire.AppendBytes(scope, span)
	rs := protowire.AppendTag(nil, 1, protowire.BytesType)
	rs = protowire.AppendBytes(rs, res)
	rs = protowire.AppendTag(rs, 2, protowire.BytesType)
	rs = protowire.AppendBytes(rs, scope)
	req := protowire.AppendTag(nil, 1, protowire.BytesType)
	return protowire.AppendBytes(req, rs)
}

func TestSniff(t *testing.T) {
	cpu := mustRead(t, "cpu.pb.gz")
	cases := []struct {
		name string
		data []byte
		want evidence.Confidence
	}{
		{"gzip proto", cpu, evidence.Certain},
		{"raw proto", gunzip(t, cpu), evidence.Certain},
		{"legacy heap text", mustRead(t, "heap.txt"), evidence.Certain},
		{"legacy goroutine text", mustRead(t, "goroutine.txt"), evidence.Certain},
		{"go mutex text", []byte("--- mutex:\ncycles/second=1000\nsampling period=1\n"), evidence.Certain},
		{"otlp proto", otlpTraces(), evidence.No},
		{"gzipped otlp proto", gzipped(otlpTraces()), evidence.No},
		{"go execution trace", append([]byte("go 1.26 trace\x00\x00\x00"), make([]byte, 64)...), evidence.No},
		{"goroutine dump", []byte("goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1d\n"), evidence.No},
		{"json", []byte(`{"resourceSpans":[]}`), evidence.No},
		{"empty", nil, evidence.No},
		{"gzip of text", gzipped([]byte("hello")), evidence.No},
	}
	for _, tc := range cases {
		if got := (&Decoder{}).Sniff(&evidence.Input{Name: tc.name, Data: tc.data}); got != tc.want {
			t.Errorf("%s: Sniff = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSniffGoTrace runs Sniff over real execution traces when a sibling
// decoder's fixtures are present.
func TestSniffGoTrace(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "gotrace", "testdata", "*.trace"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := (&Decoder{}).Sniff(&evidence.Input{Name: p, Data: data}); got != evidence.No {
			t.Errorf("%s: Sniff = %v on a Go execution trace", p, got)
		}
	}
}
