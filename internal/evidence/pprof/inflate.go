package pprof

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"sort"

	"github.com/tagdebug/tag/internal/evidence"
)

// MaxInflated bounds the decompressed size of a gzipped profile, so a
// small hostile file cannot expand into gigabytes.
const MaxInflated = 256 << 20

// inflateChunk is how much is decompressed between offset marks; it sets
// the granularity of positions reported for errors inside gzip.
const inflateChunk = 4 << 10

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// inflated is a decompressed profile with marks mapping decompressed
// positions back to the compressed file.
type inflated struct {
	data  []byte
	marks []mark
}

// mark records that out decompressed bytes had come out once in
// compressed bytes had been consumed.
type mark struct{ out, in int64 }

// compressedOffset maps a decompressed position to a compressed one. It
// is approximate: deflate consumes input in blocks and reads a little
// ahead, so the answer is where the reader stood when the read holding
// pos returned, up to one chunk (plus lookahead) past the true place.
func (z *inflated) compressedOffset(pos int) int64 {
	if z == nil {
		return int64(pos)
	}
	i := sort.Search(len(z.marks), func(i int) bool { return z.marks[i].out > int64(pos) })
	if i == len(z.marks) {
		i--
	}
	if i < 0 {
		return 0
	}
	return z.marks[i].in
}

// inflate decompresses a gzipped profile, up to limit bytes; with partial
// set, it returns what came out before an error or the limit instead of
// failing (Sniff uses that to look at the head of a file).
func inflate(in *evidence.Input, limit int, partial bool) (*inflated, error) {
	br := bytes.NewReader(in.Data) // an io.ByteReader, so flate reads it unbuffered and positions stay exact
	consumed := func() int64 { return int64(len(in.Data) - br.Len()) }
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, evidence.Errorf(in, consumed(), "gzip header: %v", err)
	}
	z := &inflated{data: make([]byte, 0, min(limit, 4*len(in.Data)+inflateChunk))}
	for {
		if len(z.data) >= limit {
			if partial {
				return z, nil
			}
			return nil, evidence.Errorf(in, consumed(), "profile decompresses to more than %d bytes", limit)
		}
		z.data = growTo(z.data, inflateChunk)
		n, err := zr.Read(z.data[len(z.data) : len(z.data)+inflateChunk])
		z.data = z.data[:len(z.data)+n]
		if n > 0 {
			z.marks = append(z.marks, mark{int64(len(z.data)), consumed()})
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return z, nil
		case partial:
			return z, nil
		default:
			return nil, evidence.Errorf(in, consumed(), "gzip: %v after %d decompressed bytes", err, len(z.data))
		}
	}
}

// growTo makes room for n more bytes.
func growTo(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), 2*cap(b)+n)
	copy(nb, b)
	return nb
}
