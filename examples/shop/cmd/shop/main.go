// Command shop runs the example shop service (package shop) instrumented
// with OpenTelemetry and TAG's capture SDK. Spans go over OTLP/HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT (for example http://localhost:4318, where
// `tag serve` listens), and capsules of failing requests to the same
// address's /v1/tag/capsules.
//
//	OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 go run ./examples/shop/cmd/shop -addr :8080
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tagdebug/tag/examples/shop"
	"github.com/tagdebug/tag/sdk/go/capture"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	work := flag.Duration("work", shop.DefaultWork, "slow part of an inventory reservation")
	fraud := flag.String("fraud", "", "fraud service URL POST /pay asks first (empty: none)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "shop"))))
	defer tp.Shutdown(context.Background())
	rec, err := capture.New(shop.CaptureOptions(""))
	if err != nil {
		log.Fatal(err)
	}
	defer rec.Shutdown(context.Background())
	s := shop.New(*work)
	s.FraudURL = *fraud
	s.Configure(rec)
	srv := &http.Server{Addr: *addr, Handler: s.Handler(shop.Wrap(tp.Tracer("shop"), rec)), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	log.Printf("shop listening on %s", *addr)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
