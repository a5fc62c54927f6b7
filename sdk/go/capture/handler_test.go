package capture

import (
	"net/http"
	"testing"
)

type namedHandler struct{}

func (*namedHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

func (namedHandler) method(http.ResponseWriter, *http.Request) {}

// TestHandlerName: capsules name the function behind a route the way
// stacks (race reports, dumps) print it.
func TestHandlerName(t *testing.T) {
	var h namedHandler
	for _, c := range []struct {
		h    http.Handler
		want string
	}{
		{&h, "github.com/tagdebug/tag/sdk/go/capture.(*namedHandler).ServeHTTP"},
		{http.HandlerFunc(h.method), "github.com/tagdebug/tag/sdk/go/capture.namedHandler.method"},
		{http.HandlerFunc(plainHandler), "github.com/tagdebug/tag/sdk/go/capture.plainHandler"},
	} {
		if got := handlerName(c.h); got != c.want {
			t.Errorf("handlerName = %q, want %q", got, c.want)
		}
	}
}

// plainHandler is a plain function used as a handler above.
func plainHandler(http.ResponseWriter, *http.Request) {}
