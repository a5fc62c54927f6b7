package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// MaxJSONDepth bounds nesting in JSON evidence. Real trace exports nest a
// few dozen levels; anything deeper is hostile and would cost stack in
// recursive parsers.
const MaxJSONDepth = 256

// CheckJSON verifies that in is syntactically valid JSON nested at most
// MaxJSONDepth deep, returning a positioned *Error otherwise. Decoders run
// it before handing bytes to parsers that report no positions.
func CheckJSON(in *Input) error {
	if off, ok := depthOK(in.Data, MaxJSONDepth); !ok {
		return Errorf(in, off, "JSON nested deeper than %d levels", MaxJSONDepth)
	}
	if !json.Valid(in.Data) {
		var v any
		err := json.Unmarshal(in.Data, &v)
		return JSONError(in, err)
	}
	return nil
}

// JSONError positions an encoding/json error in in.
func JSONError(in *Input, err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		if se.Offset >= int64(len(in.Data)) {
			return Errorf(in, int64(len(in.Data)), "truncated JSON: unexpected end of input")
		}
		// encoding/json counts the offending byte as read.
		return Errorf(in, max(se.Offset-1, 0), "invalid JSON: %v", err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "value"
		}
		return Errorf(in, te.Offset, "%s: expected %s, found JSON %s", field, te.Type, te.Value)
	}
	return Errorf(in, -1, "invalid JSON: %v", err)
}

// depthOK scans JSON bytes, tracking bracket depth outside strings.
func depthOK(data []byte, max int) (int64, bool) {
	depth := 0
	inStr, esc := false, false
	for i, c := range data {
		if inStr {
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
			if depth > max {
				return int64(i), false
			}
		case '}', ']':
			depth--
		}
	}
	return 0, true
}

// FirstJSONByte returns the first non-space byte of data, or 0.
func FirstJSONByte(data []byte) byte {
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

// HeadContains reports whether the first n bytes of data contain any of
// the keys, quoted as JSON object keys.
func HeadContains(data []byte, n int, keys ...string) bool {
	if len(data) > n {
		data = data[:n]
	}
	for _, k := range keys {
		if bytes.Contains(data, []byte(fmt.Sprintf("%q", k))) {
			return true
		}
	}
	return false
}
