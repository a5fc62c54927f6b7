// Package evidence bundles the example evidence `tag demo` runs on: OTLP
// exports of the example shop's failing requests.
package evidence

import "embed"

// Files holds the bundled evidence files (*.json).
//
//go:embed *.json
var Files embed.FS
