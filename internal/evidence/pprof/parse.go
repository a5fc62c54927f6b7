package pprof

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/tagdebug/tag/internal/evidence"
)

// parse reads in as google/pprof does (profile.ParseData: gzip, then
// proto, then the legacy formats), so the profile we map is exactly the
// one pprof shows. We inflate gzip ourselves first, with a size limit and
// a map back to compressed offsets for errors. Failures become positioned
// *evidence.Error values; see errorAt for how positions are found.
func parse(in *evidence.Input) (*profile.Profile, error) {
	if len(in.Data) == 0 {
		return nil, evidence.Errorf(in, 0, "empty profile")
	}
	raw := in.Data
	var z *inflated
	if isGzip(raw) {
		var err error
		if z, err = inflate(in, MaxInflated, false); err != nil {
			return nil, err
		}
		raw = z.data
		if isGzip(raw) {
			// ParseData would inflate again, without our limit.
			return nil, evidence.Errorf(in, z.compressedOffset(0), "gzip inside gzip")
		}
	}
	p, err := profile.ParseData(raw)
	if err != nil {
		return nil, errorAt(in, raw, z, err)
	}
	return p, nil
}

// errorAt positions a profile package error, which carries no offset:
//   - for text (legacy) input, at the line a "malformed sample: <line>"
//     message quotes, else at the start (offset 0 standing for the whole
//     file: the legacy parsers do not say where they gave up);
//   - for binary input, at the first structural fault the wire walk finds
//     (mapped to the compressed file for gzip, approximately). When the
//     wire structure is sound the problem is one of meaning (a dangling
//     location ID, a string index out of range) and offset 0 again stands
//     for the whole profile.
func errorAt(in *evidence.Input, raw []byte, z *inflated, perr error) error {
	if z == nil && (legacyText(raw) || textual(raw)) {
		off := int64(0)
		if line, ok := quotedLine(raw, perr.Error()); ok {
			off = int64(bytes.Index(raw, line))
		}
		e := evidence.Errorf(in, off, "%v", perr)
		return e
	}
	if legacyCPU(raw) {
		return evidence.Errorf(in, z.compressedOffset(0), "legacy CPU profile: %v", perr)
	}
	if w := walk(raw, 0, len(raw), msgProfile, 0); w != nil {
		e := evidence.Errorf(in, z.compressedOffset(w.off), "profile proto: %s (%v)", w.msg, perr)
		if z != nil {
			e.Msg += " at decompressed byte " + strconv.Itoa(w.off)
		}
		return e
	}
	return evidence.Errorf(in, 0, "profile proto: %v", perr)
}

// textual reports whether b's head has no NUL or stray control bytes.
func textual(b []byte) bool {
	if len(b) > 512 {
		b = b[:512]
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// quotedLine finds the input line that a legacy parser's
// "malformed sample: <line>: <why>" message quotes.
func quotedLine(data []byte, msg string) ([]byte, bool) {
	const marker = "malformed sample: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return nil, false
	}
	rest := msg[i+len(marker):]
	for len(data) > 0 {
		line := data
		if j := bytes.IndexByte(data, '\n'); j >= 0 {
			line, data = data[:j], data[j+1:]
		} else {
			data = nil
		}
		t := bytes.TrimSpace(line)
		if len(t) > 0 && strings.HasPrefix(rest, string(t)+":") {
			return t, true
		}
	}
	return nil, false
}
