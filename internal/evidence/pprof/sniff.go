package pprof

import (
	"bytes"
	"encoding/binary"
	"regexp"

	"github.com/tagdebug/tag/internal/evidence"
)

// sniffHead bounds how much of a file (after decompression) Sniff looks
// at, so detection stays cheap on large inputs.
const sniffHead = 64 << 10

// Sniff recognises, in order:
//   - gzip whose decompressed head is a profile proto (Certain or Likely,
//     as for raw proto);
//   - a raw profile proto: the head's top-level fields all carry the
//     field numbers and wire types of profile.proto, sample_type (field 1)
//     holds a ValueType, i.e. only varint fields 1 and 2, and samples,
//     locations, functions or strings follow (Certain; Likely without
//     those). OTLP protobuf opens with field 1 too, but holds a message (a
//     resource) inside it, so it fails; a Go execution trace opens with
//     "go 1.", which is not a valid tag (field 12 with wire type 7);
//   - the legacy formats google/pprof reads: the binary CPU profile header
//     and the text headers of heap, contention, mutex, goroutine,
//     threadcreate, thread and Java profiles (Certain).
func (*Decoder) Sniff(in *evidence.Input) evidence.Confidence {
	data := in.Data
	if isGzip(data) {
		z, err := inflate(in, sniffHead, true)
		if err != nil {
			return evidence.No
		}
		data = z.data
	} else if len(data) > sniffHead {
		data = data[:sniffHead]
	}
	if legacyText(data) || legacyCPU(data) {
		return evidence.Certain
	}
	return sniffProto(data)
}

// sniffProto judges a head of a raw profile proto; the head may end in
// the middle of a field. Writers order fields differently (the Go
// runtime opens with time_nanos), so we look for sample_type anywhere in
// the head rather than first.
func sniffProto(head []byte) evidence.Confidence {
	fields, sampleType, body := 0, false, false
	for i := 0; i < len(head); fields++ {
		tag, next, ok := uvarint(head, i)
		if !ok {
			break // cut by the head
		}
		field, wt := tag>>3, tag&7
		if !profileField(field, wt) {
			return evidence.No
		}
		end, ok := skipField(head, next, wt)
		if !ok {
			break
		}
		switch field {
		case 1:
			_, start, _ := uvarint(head, next)
			if walkValueType(head[start:end]) != nil {
				return evidence.No // OTLP and others hold a message here
			}
			sampleType = true
		case 2, 4, 5, 6:
			body = true
		}
		i = end
	}
	switch {
	case !sampleType || fields < 2:
		return evidence.No
	case body:
		return evidence.Certain
	}
	return evidence.Likely
}

// walkValueType accepts only varint fields 1 (type) and 2 (unit).
func walkValueType(b []byte) *wireError {
	for i := 0; i < len(b); {
		tag, next, ok := uvarint(b, i)
		if !ok || tag&7 != 0 || (tag>>3 != 1 && tag>>3 != 2) {
			return &wireError{i, "not a ValueType"}
		}
		if _, i, ok = uvarint(b, next); !ok {
			return &wireError{next, "not a ValueType"}
		}
	}
	return nil
}

// profileField reports whether field and wire type fit profile.proto's
// Profile message.
func profileField(field, wt uint64) bool {
	switch field {
	case 1, 2, 3, 4, 5, 6, 11:
		return wt == 2
	case 7, 8, 9, 10, 12, 14, 15:
		return wt == 0
	case 13:
		return wt == 0 || wt == 2
	}
	return false
}

// skipField steps over a field's value; ok is false when the value runs
// past the end.
func skipField(b []byte, i int, wt uint64) (int, bool) {
	switch wt {
	case 0:
		_, i, ok := uvarint(b, i)
		return i, ok
	case 2:
		n, body, ok := uvarint(b, i)
		if !ok || n > uint64(len(b)-body) {
			return len(b), false
		}
		return body + int(n), true
	}
	return len(b), false
}

// legacyHeader matches the first line of the text profiles google/pprof
// parses (see its legacy_profile.go and legacy_java_profile.go).
var legacyHeader = regexp.MustCompile(`\A(?:heap profile: *\d+: *\d+ *\[|\S+ profile: total \d+\s*$|--- (?:contentionz |mutex:|contention:|threadz \d+ ---|Thread [[:xdigit:]]+ \(name: |heapz 1 ---|contentionz 1 ---))`)

// legacyText reports whether data opens (after blank lines) with a
// legacy text profile header.
func legacyText(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	line := data
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) > 256 {
		return false
	}
	return legacyHeader.Match(bytes.TrimRight(line, "\r"))
}

// legacyCPU reports whether data opens with the legacy binary CPU
// profile header: words 0, 3, 0 or 1, a positive period, 0, in 32- or
// 64-bit words of either byte order.
func legacyCPU(data []byte) bool {
	for _, size := range []int{8, 4} {
		if len(data) < 5*size {
			continue
		}
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			w := func(i int) uint64 {
				if size == 8 {
					return order.Uint64(data[i*8:])
				}
				return uint64(order.Uint32(data[i*4:]))
			}
			if w(0) == 0 && w(1) == 3 && w(2) <= 1 && w(3) > 0 && w(4) == 0 {
				return true
			}
		}
	}
	return false
}
