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

// pendingBlobs are fragments being encoded in the background, one
// goroutine each, so the caller can merge and detect meanwhile.
type pendingBlobs struct {
	done     []chan struct{}
	blob     [][]byte
	comp     []string
	releases []func()
}

func encodeBlobs(arts []Artifact) *pendingBlobs {
	p := &pendingBlobs{done: make([]chan struct{}, len(arts)), blob: make([][]byte, len(arts)),
		comp: make([]string, len(arts)), releases: make([]func(), len(arts))}
	for k := range arts {
		p.done[k] = make(chan struct{})
		go func() {
			defer close(p.done[k])
			p.blob[k], p.comp[k], p.releases[k] = encodeBlob(arts[k].Fragment)
		}()
	}
	return p
}

// get waits for artifact k's blob.
func (p *pendingBlobs) get(k int) ([]byte, string) {
	<-p.done[k]
	return p.blob[k], p.comp[k]
}

// release returns the buffers once SQLite has copied the blobs; it waits
// for encodings still running (after an early error).
func (p *pendingBlobs) release() {
	for k := range p.done {
		<-p.done[k]
		if p.releases[k] != nil {
			p.releases[k]()
		}
	}
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
