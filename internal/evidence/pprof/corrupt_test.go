package pprof

import (
	"context"
	"errors"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

func decodeErr(t *testing.T, name string, data []byte) *evidence.Error {
	t.Helper()
	f, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: name, Data: data})
	if err == nil {
		t.Fatalf("%s: decoded %d nodes from bad input", name, len(f.Nodes))
	}
	var e *evidence.Error
	if !errors.As(err, &e) || !errors.Is(err, evidence.ErrBadInput) {
		t.Fatalf("%s: error %T %v is not an *evidence.Error", name, err, err)
	}
	if e.File != name {
		t.Errorf("%s: error names %q", name, e.File)
	}
	return e
}

func TestCorrupt(t *testing.T) {
	cpu := mustRead(t, "cpu.pb.gz")
	raw := gunzip(t, cpu)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/2] = 0xff // a tag with wire type 7 or a runaway length

	cases := []struct {
		name   string
		data   []byte
		lo, hi int64 // the offset must fall in [lo, hi]
	}{
		{"empty", nil, 0, 0},
		{"truncated gzip", cpu[:len(cpu)/2], int64(len(cpu) / 4), int64(len(cpu) / 2)},
		{"gzip bad header", append([]byte{0x1f, 0x8b, 0x99}, cpu[3:]...), 0, 10},
		{"truncated proto", raw[:len(raw)-7], 0, int64(len(raw))},
		{"garbage", []byte("\x0a\x04\x08\x01\x10\x02\xff\xff\xff"), 6, 6},
		{"malformed heap text", []byte("heap profile: 1: 2 [3: 4] @ heap/1048576\n1: 99999999999999999999 [1: 2] @ 0x1\n"), 41, 41},
		{"unknown text", []byte("hello world\n"), 0, 0},
	}
	for _, tc := range cases {
		e := decodeErr(t, tc.name, tc.data)
		if e.Offset < tc.lo || e.Offset > tc.hi {
			t.Errorf("%s: offset %d not in [%d, %d]: %v", tc.name, e.Offset, tc.lo, tc.hi, e)
		}
	}
	// A flipped byte either breaks the wire structure (positioned at or
	// before it) or survives as a different profile; never a panic.
	if _, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "flipped", Data: flipped}); err != nil {
		var e *evidence.Error
		if !errors.As(err, &e) || e.Offset > int64(len(flipped)/2)+1 {
			t.Errorf("flipped: %v", err)
		}
	}
}

// TestTruncatedEverywhere cuts a real profile at every length: each
// prefix decodes or fails with a positioned error, never panics.
func TestTruncatedEverywhere(t *testing.T) {
	for _, name := range []string{"cpu.pb.gz", "goroutine.txt"} {
		data := mustRead(t, name)
		raw := data
		if isGzip(data) {
			raw = gunzip(t, data)
		}
		for _, b := range [][]byte{data, raw} {
			for n := 0; n < len(b); n++ {
				_, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: "cut", Data: b[:n]})
				var e *evidence.Error
				if err != nil && (!errors.As(err, &e) || e.Offset < 0 || e.Offset > int64(n)) {
					t.Fatalf("%s cut at %d: %v", name, n, err)
				}
			}
		}
	}
}

func TestGzipBomb(t *testing.T) {
	// 300 MiB of zeros compress to about 300 KiB; the limit stops it.
	z := gzipped(make([]byte, MaxInflated+1<<20))
	e := decodeErr(t, "bomb", z)
	if e.Offset <= 0 {
		t.Errorf("bomb: offset %d", e.Offset)
	}
}
