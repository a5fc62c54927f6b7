package ingest

import (
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

// Decoders returns every evidence decoder TAG has, in detection order.
func Decoders() []evidence.Decoder {
	return []evidence.Decoder{
		otlp.JSONDecoder{},
		otlp.ProtoDecoder{},
	}
}
