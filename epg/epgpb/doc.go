// Package epgpb holds the Go code generated from the EPG exchange schema,
// proto/tag/epg/v1/epg.proto. Use package epg's MarshalFragment and
// UnmarshalFragment rather than these types; regenerate with `make proto`.
package epgpb
