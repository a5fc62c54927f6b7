package gotrace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tagdebug/tag/internal/evidence"
)

// TestTruncated cuts the fixtures at several offsets: every cut must give
// a positioned *evidence.Error naming the file, never a panic.
func TestTruncated(t *testing.T) {
	for _, name := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", name+".trace"))
		if err != nil {
			t.Fatal(err)
		}
		cuts := []int{0, 5, 16, 17, 40, 100, len(data) / 4, len(data) / 2, 3 * len(data) / 4, len(data) - 100, len(data) - 1}
		for _, n := range cuts {
			in := &evidence.Input{Name: name + ".trace", Data: data[:n]}
			f, err := (&Decoder{}).Decode(context.Background(), in)
			var ee *evidence.Error
			if !errors.As(err, &ee) {
				t.Errorf("%s cut at %d: got %v, %v; want an *evidence.Error", name, n, f != nil, err)
				continue
			}
			if !errors.Is(err, evidence.ErrBadInput) || ee.File != in.Name || ee.Offset < 0 || ee.Offset > int64(n) {
				t.Errorf("%s cut at %d: error %q (offset %d) must name the file and an offset within the input", name, n, err, ee.Offset)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, in.Name) || !strings.Contains(msg, "byte "+strconv.FormatInt(ee.Offset, 10)) {
				t.Errorf("%s cut at %d: message %q lacks the position", name, n, err)
			}
			t.Logf("cut %d: %v", n, err)
		}
	}
}

// TestCorrupted flips bytes all over the fixtures: the decoder must
// either read the damaged trace or return a positioned error.
func TestCorrupted(t *testing.T) {
	for _, name := range fixtures {
		data, err := os.ReadFile(filepath.Join("testdata", name+".trace"))
		if err != nil {
			t.Fatal(err)
		}
		for i := 16; i < len(data); i += 53 {
			bad := append([]byte(nil), data...)
			bad[i] ^= 0xa5
			_, err := (&Decoder{}).Decode(context.Background(), &evidence.Input{Name: name, Data: bad})
			var ee *evidence.Error
			if err != nil && (!errors.As(err, &ee) || ee.Offset < 0 || ee.Offset > int64(len(bad))) {
				t.Errorf("%s with byte %d flipped: %v is not a positioned *evidence.Error", name, i, err)
			}
		}
	}
}

func TestNotATrace(t *testing.T) {
	for _, data := range []string{"", "go 1.26 trac", "{\"traceId\":1}", "go 1.99 trace\x00\x01"} {
		in := &evidence.Input{Name: "x", Data: []byte(data)}
		_, err := (&Decoder{}).Decode(context.Background(), in)
		if !errors.Is(err, evidence.ErrBadInput) {
			t.Errorf("%q: err %v, want bad input", data, err)
		}
	}
}
