package store

import (
	"fmt"

	"github.com/klauspost/compress/s2"

	"github.com/tagdebug/tag/epg"
)

// Fragments are stored S2-compressed: their protobuf repeats trace/span
// IDs and attribute keys on every node, S2 removes most of that at
// memory speed, and SQLite then writes a fraction of the bytes.
const compressionS2 = "s2"

func encodeBlob(f *epg.Fragment) ([]byte, string, error) {
	raw, err := epg.MarshalFragment(f)
	if err != nil {
		return nil, "", err
	}
	return s2.Encode(nil, raw), compressionS2, nil
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
