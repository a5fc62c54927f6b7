package ingest

import (
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/jaeger"
	"github.com/tagdebug/tag/internal/evidence/otlp"
	"github.com/tagdebug/tag/internal/evidence/zipkin"
)

// Decoders returns every evidence decoder TAG has, in detection order.
func Decoders() []evidence.Decoder {
	return []evidence.Decoder{
		otlp.JSONDecoder{},
		&jaeger.Decoder{},
		&zipkin.Decoder{},
		otlp.ProtoDecoder{},
	}
}
