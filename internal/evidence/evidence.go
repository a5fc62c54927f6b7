// Package evidence defines how TAG turns an artifact (a file or a request
// body) into EPG fragments: the [Decoder] interface that each format's
// package implements, format auto-detection, and the positioned [Error]
// every decoder returns for bad input.
//
// Decoders live in subpackages named for their format (otlp, jaeger,
// zipkin, ...). They never touch the network, a model, or the store; the
// ingest pipeline redacts and stores what they produce.
package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/tagdebug/tag/epg"
)

// Input is one artifact to decode.
type Input struct {
	// Name identifies the artifact in errors and provenance: a file path
	// or a request label such as "otlp-http /v1/traces".
	Name string
	Data []byte
	// Service and Process name the program the artifact came from, when
	// the user or the transport says (tag ingest --service/--process).
	// Runtime artifacts (dumps, profiles, execution traces) rarely say it
	// themselves; these let thread and lock nodes of several artifacts of
	// one process merge.
	Service, Process string
	// SourceRoots are directories holding the program's source, tried in
	// order when a decoder wants to read a line of code (to name a lock
	// from the statement that took it, say). Decoders work without them.
	SourceRoots []string
	// Time is when the artifact was captured (Unix ns), if known: a dump
	// file's modification time. Decoders use it only when the artifact
	// carries no time of its own.
	Time int64
}

// Scope returns the process scope for thread and lock node IDs
// ([epg.ThreadNodeID], [epg.LockNodeID]): the Process when set, else one
// derived from the artifact's bytes, so that goroutine 1 of two unrelated
// dumps never merges.
func (in *Input) Scope() string {
	if in.Process != "" {
		return in.Process
	}
	sum := sha256.Sum256(in.Data)
	return "artifact-" + hex.EncodeToString(sum[:6])
}

// Decoder turns artifacts of one format into EPG fragments.
//
// Decode must not panic on any input, must not retain in.Data after it
// returns, and must return an *Error (wrapped or not) that names the byte
// offset or line of the problem for bad input.
type Decoder interface {
	// Format is the decoder's short name, e.g. "otlp-json", used by
	// --format and recorded with every stored artifact.
	Format() string
	// Sniff reports how confident the decoder is that in is its format.
	Sniff(in *Input) Confidence
	// Decode produces the artifact's fragment.
	Decode(ctx context.Context, in *Input) (*epg.Fragment, error)
}

// Confidence ranks how well a decoder recognises an input.
type Confidence uint8

// Confidence levels; detection picks the highest, ties go to the first
// decoder in the list.
const (
	No Confidence = iota
	Maybe
	Likely
	Certain
)

// ErrUnknownFormat is returned when no decoder recognises an input.
var ErrUnknownFormat = errors.New("unrecognised evidence format")

// Detect returns the decoder among ds that best recognises in.
func Detect(in *Input, ds []Decoder) (Decoder, error) {
	var best Decoder
	bestC := No
	for _, d := range ds {
		if c := d.Sniff(in); c > bestC {
			best, bestC = d, c
		}
	}
	if best == nil {
		return nil, &Error{File: in.Name, Offset: 0, Msg: "cannot tell the format (use --format)", Err: ErrUnknownFormat}
	}
	return best, nil
}

// ByFormat returns the decoder among ds whose Format is name.
func ByFormat(name string, ds []Decoder) (Decoder, error) {
	var names []string
	for _, d := range ds {
		if d.Format() == name {
			return d, nil
		}
		names = append(names, d.Format())
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

// MaxValueLen bounds a single string attribute value. Longer values (a
// hostile or runaway log line) are clipped and marked, so one record
// cannot blow up the store or a prompt.
const MaxValueLen = 64 << 10

// ClipString returns s clipped to MaxValueLen bytes (on a rune boundary)
// and whether it was clipped.
func ClipString(s string) (string, bool) {
	if len(s) <= MaxValueLen {
		return s, false
	}
	cut := MaxValueLen
	for cut > 0 && cut > MaxValueLen-4 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
