package ingest

import (
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/capsule"
	"github.com/tagdebug/tag/internal/evidence/crashtext"
	"github.com/tagdebug/tag/internal/evidence/godump"
	"github.com/tagdebug/tag/internal/evidence/gotrace"
	"github.com/tagdebug/tag/internal/evidence/jaeger"
	"github.com/tagdebug/tag/internal/evidence/jvm"
	"github.com/tagdebug/tag/internal/evidence/logs"
	"github.com/tagdebug/tag/internal/evidence/otlp"
	"github.com/tagdebug/tag/internal/evidence/pprof"
	"github.com/tagdebug/tag/internal/evidence/zipkin"
)

// Decoders returns every evidence decoder TAG has, in detection order.
func Decoders() []evidence.Decoder {
	ds := []evidence.Decoder{
		otlp.JSONDecoder{},
		&jaeger.Decoder{},
		&zipkin.Decoder{},
		otlp.ProtoDecoder{},
		&pprof.Decoder{},
		&gotrace.Decoder{},
	}
	ds = append(ds, godump.Decoders()...)
	ds = append(ds, &jvm.Decoder{}, &crashtext.Decoder{}, capsule.Decoder{}, &logs.JSONDecoder{}, &logs.LogfmtDecoder{})
	return ds
}
