// Package evidence bundles the example evidence `tag demo` runs on: OTLP
// exports of the example shop's failing requests, and a goroutine dump of
// its inventory service deadlocked, with that program's source under _src
// (the dump was produced by running it; see
// internal/evidence/godump/testdata/gen.sh).
package evidence

import "embed"

// Files holds the bundled evidence files and, under _src, the source the
// dumps were taken from.
//
//go:embed *.json *.txt all:_src
var Files embed.FS
