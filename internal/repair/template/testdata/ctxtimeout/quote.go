// Package quote asks a pricing service for a quote. Its bug: Quote
// ignores the caller's context, so a pricing service that accepts the
// connection and never answers holds the caller forever.
package quote

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Client talks to the pricing service at Base.
type Client struct {
	Base string
	HTTP *http.Client
}

// Quote returns the price of sku in cents.
func (c *Client) Quote(ctx context.Context, sku string) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.Base+"/price?sku="+sku, nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, fmt.Errorf("quote %s: %w", sku, err)
	}
	defer resp.Body.Close()
	var p struct{ Cents int }
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return 0, fmt.Errorf("quote %s: %w", sku, err)
	}
	return p.Cents, nil
}
