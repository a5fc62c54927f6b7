package jaeger

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
)

// appendKV appends a typed Jaeger tag or log field under prefix+key. A
// null value is skipped.
func appendKV(attrs []epg.Attr, prefix string, kv *keyValue) ([]epg.Attr, error) {
	raw := kv.Value
	if len(raw) == 0 || string(raw) == "null" {
		return attrs, nil
	}
	key := prefix + kv.Key
	typ := strings.ToLower(kv.Type)
	if typ == "" {
		typ = inferType(raw)
	}
	switch typ {
	case "string":
		s, err := rawString(raw)
		if err != nil {
			return attrs, err
		}
		return evidence.AppendClipped(attrs, key, s), nil
	case "bool":
		b, err := strconv.ParseBool(unquoted(raw))
		if err != nil {
			return attrs, fmt.Errorf("tag %q: %s is not a bool", kv.Key, raw)
		}
		return append(attrs, epg.Attr{Key: key, Value: epg.Bool(b)}), nil
	case "int64":
		i, err := strconv.ParseInt(unquoted(raw), 10, 64)
		if err != nil {
			return attrs, fmt.Errorf("tag %q: %s is not an int64", kv.Key, raw)
		}
		return append(attrs, epg.Attr{Key: key, Value: epg.Int(i)}), nil
	case "float64":
		f, err := strconv.ParseFloat(unquoted(raw), 64)
		if err != nil {
			return attrs, fmt.Errorf("tag %q: %s is not a float64", kv.Key, raw)
		}
		return append(attrs, epg.Attr{Key: key, Value: epg.Float(f)}), nil
	case "binary":
		s, err := rawString(raw)
		if err != nil {
			return attrs, err
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return attrs, fmt.Errorf("tag %q: binary value is not base64", kv.Key)
		}
		if len(b) > evidence.MaxValueLen {
			attrs = append(attrs, epg.Attr{Key: key + evidence.TruncatedSuffix, Value: epg.Int(int64(len(b)))})
			b = b[:evidence.MaxValueLen]
		}
		return append(attrs, epg.Attr{Key: key, Value: epg.Bytes(b)}), nil
	}
	return attrs, fmt.Errorf("tag %q: unknown type %q", kv.Key, kv.Type)
}

// inferType guesses the type of an untyped value from its JSON form.
func inferType(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	}
	if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return "int64"
	}
	return "float64"
}

func rawString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("expected a string, found %s", raw)
	}
	return s, nil
}

// unquoted returns the text of a JSON scalar, without quotes when it is a
// string (Jaeger writes large int64s as strings).
func unquoted(raw json.RawMessage) string {
	if raw[0] == '"' {
		s, _ := rawString(raw)
		return s
	}
	return string(raw)
}
