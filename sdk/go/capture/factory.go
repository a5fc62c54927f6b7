package capture

import (
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
)

var factories struct {
	sync.Mutex
	m   map[string]Factory
	pkg map[string]string
}

// RegisterFactory registers how to build the service's HTTP handler, as
// it is wired in production but without listening, from its config values
// (replay passes the ones the capsule recorded), so replay can serve a
// recorded request through it. Call it from the service package's init;
// the tests TAG generates in the package find it there.
func RegisterFactory(service string, f Factory) {
	factories.Lock()
	defer factories.Unlock()
	if factories.m == nil {
		factories.m = map[string]Factory{}
		factories.pkg = map[string]string{}
	}
	factories.m[service] = f
	factories.pkg[service] = callerPackage(2)
}

// FactoryPackage returns the import path of the package that registered
// service's factory ("" when none did).
func FactoryPackage(service string) string {
	factories.Lock()
	defer factories.Unlock()
	return factories.pkg[service]
}

// callerPackage returns the import path of the function skip frames up.
func callerPackage(skip int) string {
	pc, _, _, ok := runtime.Caller(skip)
	if !ok {
		return ""
	}
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	name := fn.Name() // e.g. github.com/x/y/shop.init.0
	slash := strings.LastIndex(name, "/")
	if dot := strings.Index(name[slash+1:], "."); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// Config is the config values a service registered (SetConfig), as a
// capsule recorded them.
type Config map[string]string

// Factory builds a service's handler from its config values.
type Factory func(cfg Config) http.Handler

// Lookup returns the factory registered for service.
func Lookup(service string) (Factory, bool) {
	factories.Lock()
	defer factories.Unlock()
	f, ok := factories.m[service]
	return f, ok
}

// Factories lists the registered service names.
func Factories() []string {
	factories.Lock()
	defer factories.Unlock()
	return slices.Sorted(maps.Keys(factories.m))
}
