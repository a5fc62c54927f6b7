package epg

import "google.golang.org/protobuf/proto"

// MarshalGenerated encodes f through the generated epgpb code, the
// reference the hand-written encoder must match byte for byte.
func MarshalGenerated(f *Fragment) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(fragmentToPB(f))
}
