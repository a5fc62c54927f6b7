// Command service is the small instrumented shop that package diff's
// differential test runs: a frontend serving GET /checkout and an
// inventory service serving POST /reserve, on loopback, traced with the
// OpenTelemetry Go SDK and exported over OTLP/HTTP to the URL given by
// -otlp.
//
// GET /checkout?region=R&tier=T&customer=C&items=N reads the cart from a
// cache, then reserves stock at the inventory service, passing the trace
// context and the region along. The planted bug: the cache feature flag
// has no entry for eu-west-1, so requests from there skip the cache, read
// the cart from a lagging replica (a 30 ms query), reach an inventory
// service that takes 40 ms for that region, and fail with 503.
//
// The command prints "frontend http://ADDR" once both servers listen, and
// shuts down (flushing every span) when its standard input closes.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// cacheEnabled is the feature flag table; eu-west-1 is missing from it.
var cacheEnabled = map[string]bool{"us-east-1": true, "eu-central-1": true, "ap-south-1": true}

var propagator = propagation.TraceContext{}

func main() {
	otlp := flag.String("otlp", "", "OTLP/HTTP traces URL, e.g. http://127.0.0.1:4318/v1/traces")
	flag.Parse()
	ctx := context.Background()
	frontTP, invTP := provider(ctx, *otlp, "frontend"), provider(ctx, *otlp, "inventory")
	inv := serve(&inventory{tracer: invTP.Tracer("shop/inventory")})
	front := serve(&frontend{tracer: frontTP.Tracer("shop/frontend"), inventory: "http://" + inv.Addr().String()})
	fmt.Printf("frontend http://%s\n", front.Addr())
	io.Copy(io.Discard, bufio.NewReader(os.Stdin))
	front.Close()
	inv.Close()
	for _, tp := range []*sdktrace.TracerProvider{frontTP, invTP} {
		if err := tp.Shutdown(ctx); err != nil {
			log.Fatal(err)
		}
	}
}

func provider(ctx context.Context, url, service string) *sdktrace.TracerProvider {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	if err != nil {
		log.Fatal(err)
	}
	res := resource.NewSchemaless(attribute.String("service.name", service), attribute.String("service.version", "1.4.2"))
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
}

func serve(h http.Handler) net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(l, h)
	return l
}

// frontend serves GET /checkout.
type frontend struct {
	tracer    trace.Tracer
	inventory string
}

func (f *frontend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	region := q.Get("region")
	items, _ := strconv.Atoi(q.Get("items"))
	ctx, span := f.tracer.Start(r.Context(), "GET /checkout", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "GET"), attribute.String("http.route", "/checkout"),
			attribute.String("region", region), attribute.String("customer.tier", q.Get("tier")),
			attribute.String("customer.id", q.Get("customer")), attribute.Int("cart.items", items)))
	defer span.End()
	w.Header().Set("X-Trace-Id", span.SpanContext().TraceID().String())
	if cacheEnabled[region] {
		f.cacheGet(ctx)
		span.SetAttributes(attribute.Bool("cache.hit", true))
	} else {
		f.replicaQuery(ctx)
	}
	status := f.reserve(ctx, region, items)
	if !cacheEnabled[region] {
		status = http.StatusServiceUnavailable
		span.SetStatus(codes.Error, "cart read from a lagging replica is stale")
	}
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	w.WriteHeader(status)
}

func (f *frontend) cacheGet(ctx context.Context) {
	_, span := f.tracer.Start(ctx, "cache.get", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "redis"), attribute.Bool("cache.hit", true)))
	span.End()
}

func (f *frontend) replicaQuery(ctx context.Context) {
	_, span := f.tracer.Start(ctx, "SELECT orders", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system.name", "postgresql"), attribute.String("db.operation.name", "SELECT"),
			attribute.String("db.collection.name", "orders"), attribute.String("db.query.text", "SELECT * FROM orders WHERE customer_id = $1")))
	time.Sleep(30 * time.Millisecond)
	span.End()
}

// reserve calls the inventory service and returns its status code.
func (f *frontend) reserve(ctx context.Context, region string, items int) int {
	ctx, span := f.tracer.Start(ctx, "POST /reserve", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("server.address", "inventory")))
	defer span.End()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.inventory+"/reserve?items="+strconv.Itoa(items), nil)
	req.Header.Set("X-Region", region)
	propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		return http.StatusBadGateway
	}
	resp.Body.Close()
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	return resp.StatusCode
}

// inventory serves POST /reserve.
type inventory struct{ tracer trace.Tracer }

func (v *inventory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	region := r.Header.Get("X-Region")
	_, span := v.tracer.Start(ctx, "POST /reserve", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("http.request.method", "POST"), attribute.String("http.route", "/reserve"),
			attribute.String("region", region)))
	defer span.End()
	if !cacheEnabled[region] {
		time.Sleep(40 * time.Millisecond) // stock looked up across regions
	}
	span.SetAttributes(attribute.Int("http.response.status_code", http.StatusOK))
	w.WriteHeader(http.StatusOK)
}
