package store

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"

	"github.com/tagdebug/tag/epg"
)

// Fragments are stored S2-compressed: their protobuf repeats trace/span
// IDs and attribute keys on every node, S2 removes most of that at
// memory speed, and SQLite then writes a fraction of the bytes.
const compressionS2 = "s2"

// blobBuffers recycles the encoding buffers: at hundreds of kilobytes per
// request they were a large share of the ingest path's garbage.
var blobBuffers = sync.Pool{New: func() any { return new(blobBuffer) }}

type blobBuffer struct{ raw, packed []byte }

// encodeBlob returns the stored form of f and a release function to call
// once the blob has been written.
func encodeBlob(f *epg.Fragment) ([]byte, string, func()) {
	buf := blobBuffers.Get().(*blobBuffer)
	buf.raw = epg.AppendFragment(buf.raw[:0], f)
	buf.packed = s2.Encode(buf.packed[:cap(buf.packed)], buf.raw)
	return buf.packed, compressionS2, func() { blobBuffers.Put(buf) }
}

func decodeBlob(blob []byte, compression string) (*epg.Fragment, error) {
	switch compression {
	case "":
	case compressionS2:
		raw, err := s2.Decode(nil, blob)
		if err != nil {
			return nil, fmt.Errorf("decompress fragment: %w", err)
		}
		blob = raw
	default:
		return nil, fmt.Errorf("unknown fragment compression %q", compression)
	}
	return epg.UnmarshalFragment(blob)
}
