package server

import (
	"fmt"
	"time"
)

// Defaults of [DefaultConfig].
const (
	DefaultOTLPHTTPAddr = ":4318"
	DefaultOTLPGRPCAddr = ":4317"
	DefaultQueueSize    = 32
	DefaultMaxBodyBytes = 64 << 20
	DefaultRetryAfter   = 1 * time.Second
)

// Config configures the receivers. Start from [DefaultConfig]: in the zero
// value both addresses are empty, which disables both receivers.
type Config struct {
	// OTLPHTTPAddr is the OTLP/HTTP listen address; empty disables it.
	OTLPHTTPAddr string
	// OTLPGRPCAddr is the OTLP/gRPC listen address; empty disables it.
	OTLPGRPCAddr string
	// APIAddr is the read API's listen address; empty disables it.
	APIAddr string
	// QueueSize bounds the export requests admitted and not yet answered
	// (being read, waiting for the worker or being stored), across both
	// receivers. A request beyond it is refused as throttled. Zero means
	// DefaultQueueSize.
	QueueSize int
	// MaxBodyBytes bounds one request body, both as sent and after
	// decompression, and one gRPC message. Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RetryAfter is the delay a throttled client is told to wait. Zero
	// means DefaultRetryAfter.
	RetryAfter time.Duration
}

// DefaultConfig returns the configuration of a plain `tag serve`.
func DefaultConfig() Config {
	return Config{
		OTLPHTTPAddr: DefaultOTLPHTTPAddr,
		OTLPGRPCAddr: DefaultOTLPGRPCAddr,
		QueueSize:    DefaultQueueSize,
		MaxBodyBytes: DefaultMaxBodyBytes,
		RetryAfter:   DefaultRetryAfter,
	}
}

// Validate reports a setting that cannot work.
func (c Config) Validate() error {
	switch {
	case c.QueueSize < 0:
		return fmt.Errorf("server: queue size %d is negative", c.QueueSize)
	case c.MaxBodyBytes < 0:
		return fmt.Errorf("server: body limit %d is negative", c.MaxBodyBytes)
	case c.RetryAfter < 0:
		return fmt.Errorf("server: retry delay %v is negative", c.RetryAfter)
	}
	return nil
}

// withDefaults fills unset limits.
func (c Config) withDefaults() Config {
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.RetryAfter == 0 {
		c.RetryAfter = DefaultRetryAfter
	}
	return c
}
