package shop

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tagdebug/tag/sdk/go/capture"
)

// Shop is the service: its state and its routes.
type Shop struct {
	Inventory *Inventory
	Bank      *Bank
	Users     *UserCache
	// FraudURL is the fraud service POST /pay asks first ("": none).
	FraudURL string
	// Client makes the shop's outbound calls, through the capture SDK's
	// Transport so they are recorded (and answered under replay).
	Client *http.Client
}

func (s *Shop) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return capturedClient
}

var capturedClient = &http.Client{Transport: capture.Transport(nil), Timeout: 2 * time.Second}

// demoUsers is how many users the demo data has.
const demoUsers = 20000

// New returns a shop with demo data; work is the slow part of a
// reservation.
func New(work time.Duration) *Shop {
	// Enough users that ranking them takes a moment, as in production:
	// requests that arrive together are still sorting together.
	users := make([]User, 0, demoUsers)
	for i := range demoUsers {
		users = append(users, User{Name: fmt.Sprintf("user-%04d", i), Score: (i * 37) % 1009})
	}
	return &Shop{
		Inventory: NewInventory(work, 1000, "sku-1", "sku-2", "sku-3", "sku-4", "sku-5", "sku-6", "sku-7", "sku-8"),
		Bank:      NewBank(map[string]int64{"alice": 1000, "bob": 1000, "carol": 1000}),
		Users:     NewUserCache(users),
	}
}

// Routes returns the shop's HTTP routes, each named by its pattern.
func (s *Shop) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"POST /pay":         s.Pay,
		"POST /v1/checkout": s.Checkout,
		"POST /transfer":    s.TransferHandler,
		"GET /top-users":    s.TopUsersHandler,
	}
}

// Handler serves the routes on one mux, wrapping each with wrap (for
// instrumentation; nil for none).
func (s *Shop) Handler(wrap func(pattern string, h http.Handler) http.Handler) http.Handler {
	mux := http.NewServeMux()
	for pattern, h := range s.Routes() {
		var hh http.Handler = h
		if wrap != nil {
			hh = wrap(pattern, hh)
		}
		mux.Handle(pattern, hh)
	}
	return mux
}
