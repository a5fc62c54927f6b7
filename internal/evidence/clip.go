package evidence

import "github.com/tagdebug/tag/epg"

// TruncatedSuffix names the attribute that records a clipped value's
// original length: "<key>.truncated" = bytes before clipping. Every
// decoder marks clipped attributes this way, so analyses can tell a
// clipped value from a short one.
const TruncatedSuffix = ".truncated"

// AppendClipped appends key=s, clipping s to MaxValueLen and recording
// the original length under key+TruncatedSuffix when it was too long.
func AppendClipped(attrs []epg.Attr, key, s string) []epg.Attr {
	c, cut := ClipString(s)
	attrs = append(attrs, epg.Attr{Key: key, Value: epg.String(c)})
	if cut {
		attrs = append(attrs, epg.Attr{Key: key + TruncatedSuffix, Value: epg.Int(int64(len(s)))})
	}
	return attrs
}

// Clip returns s clipped to MaxValueLen bytes.
func Clip(s string) string {
	c, _ := ClipString(s)
	return c
}
