// Package tag carries the parts of TAG's own source tree that `tag demo`
// builds, breaks and fixes: the example services and the packages they
// import (the capture SDK, the EPG, the redaction engine), with the
// module's go.mod and go.sum. Embedding them lets the demo lay out a
// scratch repository anywhere, so it never touches the user's checkout.
package tag

import "embed"

// Source is the demo's repository content, rooted like this module.
//
//go:embed go.mod go.sum epg sdk examples/shop
//go:embed examples/pyworker/*.py examples/pyworker/doc.go
//go:embed examples/ledger/*.java examples/ledger/doc.go
//go:embed internal/redact/*.go internal/redact/default_policy.yaml internal/redact/redacttest
var Source embed.FS
