// Package ingest is the evidence path from bytes to the store: detect the
// format, decode into an EPG fragment, validate it, redact it, and store
// it with the incidents it reveals — for files (`tag ingest`) and for
// requests (`tag serve`). A multi-file ingest is one transaction: a bad
// file anywhere leaves the store as it was.
package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/async"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/incident"
	"github.com/tagdebug/tag/internal/redact"
	"github.com/tagdebug/tag/internal/store"
)

// MaxFileSize bounds one evidence file; larger ones are refused before
// they are read.
const MaxFileSize = 2 << 30

// Pipeline wires the stages. The zero value is not usable: set Store.
type Pipeline struct {
	Store store.Store
	// Decoders are tried in order for auto-detection; nil means Decoders().
	Decoders []evidence.Decoder
	// Redactor is applied to every fragment; nil means redact.None.
	Redactor redact.Redactor
	// Detect tunes incident detection.
	Detect incident.Options
	// Origin fills the Service, Process and SourceRoots of every input
	// that does not say them itself (tag ingest --service/--process/--src).
	Origin Origin
}

// Origin says where evidence came from when the evidence does not.
type Origin struct {
	Service, Process string
	SourceRoots      []string
}

func (o *Origin) apply(in *evidence.Input) {
	if in.Service == "" {
		in.Service = o.Service
	}
	if in.Process == "" {
		in.Process = o.Process
	}
	if in.SourceRoots == nil {
		in.SourceRoots = o.SourceRoots
	}
}

// Progress receives progress over a multi-file ingest: Total once with the
// byte count, then Add as bytes are read, and Phase as work moves on.
type Progress interface {
	Total(bytes int64)
	Add(bytes int64)
	Phase(desc string)
}

// FileResult describes one ingested artifact.
type FileResult struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	Nodes  int    `json:"nodes"`
	Edges  int    `json:"edges"`
	Traces int    `json:"traces"`
	// Artifact is the stored ID; 0 when the same content was already
	// stored.
	Artifact  int64 `json:"artifact"`
	Duplicate bool  `json:"duplicate,omitempty"`
	Rejected  int   `json:"rejected,omitempty"`
}

// Result is what an ingest stored.
type Result struct {
	Files     []FileResult     `json:"files"`
	Incidents []store.Incident `json:"incidents"`
}

func (p *Pipeline) decoders() []evidence.Decoder {
	if p.Decoders != nil {
		return p.Decoders
	}
	return Decoders()
}

func (p *Pipeline) redactor() redact.Redactor {
	if p.Redactor != nil {
		return p.Redactor
	}
	return redact.None{}
}

// Files ingests the files in one transaction. format, when not empty,
// names the decoder to use instead of auto-detection. Errors for bad input
// wrap evidence.ErrBadInput and name the file and position.
func (p *Pipeline) Files(ctx context.Context, paths []string, format string, prog Progress) (*Result, error) {
	var total int64
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", evidence.ErrBadInput, err)
		}
		if st.IsDir() {
			return nil, fmt.Errorf("%w: %s is a directory", evidence.ErrBadInput, path)
		}
		if st.Size() > MaxFileSize {
			return nil, fmt.Errorf("%w: %s is %d bytes, over the %d-byte limit", evidence.ErrBadInput, path, st.Size(), int64(MaxFileSize))
		}
		total += st.Size()
	}
	if prog != nil {
		prog.Total(total)
	}
	arts := make([]store.Artifact, 0, len(paths))
	files := make([]FileResult, 0, len(paths))
	for _, path := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := readFile(path, prog)
		if err != nil {
			return nil, err
		}
		if prog != nil {
			prog.Phase("decoding " + path)
		}
		in := &evidence.Input{Name: path, Data: data}
		if st, err := os.Stat(path); err == nil {
			in.Time = st.ModTime().UnixNano()
		}
		art, fr, err := p.decode(ctx, in, format)
		if err != nil {
			return nil, err
		}
		arts = append(arts, art)
		files = append(files, fr)
	}
	if prog != nil {
		prog.Phase("storing")
	}
	return p.store(ctx, arts, files)
}

// Bytes ingests one in-memory artifact (a request body) in one
// transaction.
func (p *Pipeline) Bytes(ctx context.Context, in *evidence.Input, format string) (*Result, error) {
	art, fr, err := p.decode(ctx, in, format)
	if err != nil {
		return nil, err
	}
	return p.store(ctx, []store.Artifact{art}, []FileResult{fr})
}

// Fragment validates, redacts and stores a fragment decoded elsewhere
// (for example an OTLP/gRPC request the server already parsed). raw, if
// given, is used for the content hash and to position errors.
func (p *Pipeline) Fragment(ctx context.Context, in *evidence.Input, f *epg.Fragment) (*Result, error) {
	art, fr, err := p.prepare(in, f)
	if err != nil {
		return nil, err
	}
	return p.store(ctx, []store.Artifact{art}, []FileResult{fr})
}

func (p *Pipeline) decode(ctx context.Context, in *evidence.Input, format string) (store.Artifact, FileResult, error) {
	p.Origin.apply(in)
	sum := hashAsync(in.Data)
	f, err := Decode(ctx, p.decoders(), in, format)
	if err != nil {
		return store.Artifact{}, FileResult{}, err
	}
	return p.prepareHashed(in, f, sum)
}

// asyncHashSize is the input size from which its content hash is taken
// on another goroutine while it is decoded: SHA-256 of a 200 KB OTLP
// request is a tenth of its ingest, and the decoders only read the bytes.
const asyncHashSize = 64 << 10

// hashAsync returns a function giving data's hex SHA-256, computed
// concurrently when data is large enough to be worth a goroutine.
func hashAsync(data []byte) func() string {
	if len(data) < asyncHashSize {
		return func() string { return hexSHA256(data) }
	}
	return async.Go(func() string { return hexSHA256(data) })
}

func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Decode detects in's format (or uses format, when not empty) among
// decoders and decodes it, unredacted, with the fragment's Format set.
// It is the first half of ingest, for tools that look at evidence
// without storing it (`tag redact`).
func Decode(ctx context.Context, decoders []evidence.Decoder, in *evidence.Input, format string) (*epg.Fragment, error) {
	var d evidence.Decoder
	var err error
	if format != "" {
		if d, err = evidence.ByFormat(format, decoders); err != nil {
			return nil, fmt.Errorf("%w: %v", evidence.ErrBadInput, err)
		}
	} else if d, err = evidence.Detect(in, decoders); err != nil {
		return nil, err
	}
	f, err := decodeSafely(ctx, d, in)
	if err != nil {
		return nil, err
	}
	f.Format = d.Format()
	return f, nil
}

// decodeSafely turns a decoder panic (a bug, but one evidence must not be
// able to trigger as a crash of the server) into a positioned error.
func decodeSafely(ctx context.Context, d evidence.Decoder, in *evidence.Input) (f *epg.Fragment, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, evidence.Errorf(in, -1, "%s decoder failed: %v", d.Format(), r)
		}
	}()
	f, err = d.Decode(ctx, in)
	if err != nil && !errors.Is(err, evidence.ErrBadInput) {
		err = evidence.Errorf(in, -1, "%v", err)
	}
	return f, err
}

func (p *Pipeline) prepare(in *evidence.Input, f *epg.Fragment) (store.Artifact, FileResult, error) {
	return p.prepareHashed(in, f, func() string { return hexSHA256(in.Data) })
}

// prepareHashed validates and redacts f, decoded from in, into the
// artifact to store; sum gives in's content hash.
func (p *Pipeline) prepareHashed(in *evidence.Input, f *epg.Fragment, sum func() string) (store.Artifact, FileResult, error) {
	if err := Validate(in, f); err != nil {
		return store.Artifact{}, FileResult{}, err
	}
	if err := p.redactor().Redact(f); err != nil {
		return store.Artifact{}, FileResult{}, fmt.Errorf("redact %s: %w", in.Name, err)
	}
	f.Source = in.Name
	art := store.Artifact{Name: in.Name, Format: f.Format, SHA256: sum(), Size: int64(len(in.Data)), Fragment: f}
	fr := FileResult{Name: in.Name, Format: f.Format, Nodes: len(f.Nodes), Edges: len(f.Edges), Traces: len(f.TraceIDs())}
	return art, fr, nil
}

func (p *Pipeline) store(ctx context.Context, arts []store.Artifact, files []FileResult) (*Result, error) {
	opt := p.Detect
	res, err := p.Store.Ingest(ctx, arts, func(g *epg.Graph) []incident.Signal { return incident.Detect(g, opt) })
	if err != nil {
		return nil, err
	}
	stored := map[string]int64{}
	for _, a := range res.Artifacts {
		stored[a.SHA256+"\x00"+a.Name] = a.ID
	}
	for i := range files {
		id, ok := stored[arts[i].SHA256+"\x00"+arts[i].Name]
		files[i].Artifact = id
		files[i].Duplicate = !ok
	}
	return &Result{Files: files, Incidents: res.Incidents}, nil
}

// Validate checks what no single decoder can see: that parent links among
// spans form no cycle. The error points at the first span ID of the cycle
// in the input. It follows call edges through a parent map rather than
// building a graph: it runs on every request.
func Validate(in *evidence.Input, f *epg.Fragment) error {
	spans := make(map[string]*epg.Node, len(f.Nodes))
	for i := range f.Nodes {
		if f.Nodes[i].Kind == epg.KindSpan {
			spans[f.Nodes[i].ID] = &f.Nodes[i]
		}
	}
	parent := make(map[string]string, len(f.Edges))
	for i := range f.Edges {
		e := &f.Edges[i]
		if e.Kind == epg.EdgeCall && spans[e.From] != nil && spans[e.To] != nil {
			parent[e.To] = e.From
		}
	}
	// Colour each chain once: 1 = on the chain being walked, 2 = known to
	// end without a cycle.
	state := make(map[string]uint8, len(parent))
	for start := range parent {
		var chain []string
		id := start
		for state[id] == 0 {
			state[id] = 1
			chain = append(chain, id)
			p, ok := parent[id]
			if !ok {
				break
			}
			id = p
		}
		if at := slices.Index(chain, id); state[id] == 1 && parent[id] != "" && at >= 0 {
			cycle := chain[at:]
			names := make([]string, len(cycle))
			for i, c := range cycle {
				names[i] = spans[c].Trace.SpanID
			}
			slices.Sort(names)
			first := spans[epg.SpanNodeID(spans[cycle[0]].Trace.TraceID, names[0])]
			return evidence.Errorf(in, locateID(in, first.Trace.SpanID), "span parent links form a cycle: %v", names)
		}
		for _, c := range chain {
			state[c] = 2
		}
	}
	return nil
}

// locateID finds a hex ID in the input as text (either case) or as raw
// bytes (protobuf).
func locateID(in *evidence.Input, id string) int64 {
	if id == "" {
		return -1
	}
	for _, needle := range [][]byte{[]byte(id), bytes.ToUpper([]byte(id))} {
		if off := evidence.OffsetOf(in, needle); off >= 0 {
			return off
		}
	}
	if raw, err := hex.DecodeString(id); err == nil {
		return evidence.OffsetOf(in, raw)
	}
	return -1
}

func readFile(path string, prog Progress) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", evidence.ErrBadInput, err)
	}
	defer fh.Close()
	var r io.Reader = fh
	if prog != nil {
		r = io.TeeReader(fh, progressWriter{prog})
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}

type progressWriter struct{ p Progress }

func (w progressWriter) Write(b []byte) (int, error) {
	w.p.Add(int64(len(b)))
	return len(b), nil
}
