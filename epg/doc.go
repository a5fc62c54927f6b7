// Package epg is the Execution Path Graph: the intermediate representation
// that every evidence source is normalised into and every analysis reads.
//
// Decoders produce [Fragment]s (nodes and edges from one artifact). A
// [Builder] merges fragments from several sources into one [Graph], joining
// them by the stable node IDs that derive from trace/span IDs and thread
// identities, and by time where a record carries no trace context. A Graph
// keeps its adjacency in compact forward and reverse arrays (CSR) so that a
// slice over millions of nodes is a memory-speed walk.
//
// Fragments and graphs have a versioned protobuf encoding (schema
// proto/tag/epg/v1/epg.proto, generated code in package epgpb) for storage
// and exchange, and a JSON view for APIs and --json output.
//
// Package epg imports nothing else of TAG.
package epg
