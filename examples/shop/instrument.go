package shop

import (
	"fmt"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Instrument wraps a route in a server span the way OpenTelemetry's HTTP
// instrumentation does: the route and method as attributes, the status
// code, an error status for 5xx, and a panic marks the span failed and
// ends it before it propagates (net/http then logs it and drops the
// connection). The panic's exception event with its stack is the capture
// SDK's part (see Wrap).
func Instrument(tracer trace.Tracer) func(pattern string, h http.Handler) http.Handler {
	prop := propagation.TraceContext{}
	return func(pattern string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			ctx, span := tracer.Start(ctx, pattern, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", routeOf(pattern)), attribute.String("url.path", r.URL.Path)))
			defer span.End()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			defer func() {
				if v := recover(); v != nil {
					span.SetStatus(codes.Error, fmt.Sprint(v))
					span.SetAttributes(attribute.Int("http.response.status_code", http.StatusInternalServerError))
					span.End()
					panic(v)
				}
				span.SetAttributes(attribute.Int("http.response.status_code", sw.status))
				if sw.status >= 500 {
					span.SetStatus(codes.Error, http.StatusText(sw.status))
				}
			}()
			h.ServeHTTP(sw, r.WithContext(ctx))
		})
	}
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status.
func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// routeOf is the path template of a mux pattern ("POST /pay" → "/pay"),
// which is what OpenTelemetry's http.route holds.
func routeOf(pattern string) string {
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}
