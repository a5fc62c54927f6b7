package pprof

// A bounded walk of protobuf wire structure against profile.proto. The
// profile package reports only that a message is malformed, not where;
// this walk finds the first byte at which the encoding stops making sense
// (a bad tag, a varint or length running past its end), so errors can
// point into the file. It checks structure, not meaning: a profile whose
// bytes are well formed but whose IDs dangle passes the walk.

// msgKind names the profile.proto messages the walk descends into.
type msgKind uint8

const (
	msgOther msgKind = iota // a scalar or string field: skip it
	msgProfile
	msgValueType
	msgSample
	msgLabel
	msgMapping
	msgLocation
	msgLine
	msgFunction
)

// children maps a message's length-delimited fields to the message they
// hold; fields not listed are strings, bytes or packed scalars.
var children = map[msgKind]map[uint64]msgKind{
	msgProfile:  {1: msgValueType, 2: msgSample, 3: msgMapping, 4: msgLocation, 5: msgFunction, 11: msgValueType},
	msgSample:   {3: msgLabel},
	msgLocation: {4: msgLine},
}

// packed lists the repeated scalar fields that may be packed; their
// contents must be a run of varints.
var packed = map[msgKind]map[uint64]bool{
	msgProfile: {13: true},
	msgSample:  {1: true, 2: true},
}

// maxWalkDepth bounds recursion; profile.proto nests three deep.
const maxWalkDepth = 4

// wireError is where and why the walk stopped.
type wireError struct {
	off int
	msg string
}

// uvarint reads a varint at data[i:], returning the value and the index
// after it, or ok false when it runs off the end or past ten bytes.
func uvarint(data []byte, i int) (v uint64, next int, ok bool) {
	var shift uint
	for n := 0; n < 10 && i < len(data); n++ {
		b := data[i]
		i++
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v, i, true
		}
		shift += 7
	}
	return 0, i, false
}

// walk checks data[start:end] as a message of kind k, returning the first
// structural fault or nil. Offsets are into data.
func walk(data []byte, start, end int, k msgKind, depth int) *wireError {
	if depth > maxWalkDepth {
		return &wireError{start, "messages nested too deep"}
	}
	for i := start; i < end; {
		tagAt := i
		tag, next, ok := uvarint(data[:end], i)
		if !ok {
			return &wireError{tagAt, "truncated field tag"}
		}
		field, wt := tag>>3, tag&7
		if field == 0 {
			return &wireError{tagAt, "field number 0"}
		}
		i = next
		switch wt {
		case 0:
			if _, i, ok = uvarint(data[:end], i); !ok {
				return &wireError{tagAt, "truncated varint"}
			}
		case 1:
			if i += 8; i > end {
				return &wireError{tagAt, "truncated fixed64"}
			}
		case 5:
			if i += 4; i > end {
				return &wireError{tagAt, "truncated fixed32"}
			}
		case 2:
			n, body, ok := uvarint(data[:end], i)
			if !ok || n > uint64(end-body) {
				return &wireError{tagAt, "length-delimited field runs past the end"}
			}
			i = body + int(n)
			if c := children[k][field]; c != msgOther {
				if err := walk(data, body, i, c, depth+1); err != nil {
					return err
				}
			} else if packed[k][field] {
				for j := body; j < i; {
					if _, j, ok = uvarint(data[:i], j); !ok {
						return &wireError{body, "malformed packed varints"}
					}
				}
			}
		default:
			return &wireError{tagAt, "unsupported wire type"}
		}
	}
	return nil
}
