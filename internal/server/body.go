package server

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/tagdebug/tag/internal/evidence"
)

// tooLarge refuses a body over the limit.
func tooLarge(limit int64, what string) error {
	return &requestError{status: http.StatusRequestEntityTooLarge,
		msg: fmt.Sprintf("request body is larger than %d bytes %s", limit, what)}
}

// readBody reads the request body, gunzipping it if so encoded, and
// refuses it once it grows past limit, as sent or decompressed: a small
// gzip bomb stops at limit+1 bytes of output.
func readBody(w http.ResponseWriter, r *http.Request, name string, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit, "(Content-Length)")
	}
	raw := http.MaxBytesReader(w, r.Body, limit)
	var src io.Reader = raw
	decompressed := false
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, bodyError(err, name, limit, true)
		}
		defer zr.Close()
		src, decompressed = zr, true
	default:
		return nil, &requestError{status: http.StatusUnsupportedMediaType,
			msg: fmt.Sprintf("unsupported Content-Encoding %q (want gzip or identity)", enc)}
	}
	var buf bytes.Buffer
	if !decompressed && r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(src, limit+1))
	if err != nil {
		return nil, bodyError(err, name, limit, decompressed)
	}
	if n > limit {
		return nil, tooLarge(limit, "after decompression")
	}
	return buf.Bytes(), nil
}

// bodyError classifies a failure to read the body.
func bodyError(err error, name string, limit int64, gzipped bool) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limit, "as sent")
	}
	msg := "reading the request body: "
	if gzipped {
		msg = "invalid gzip body: "
	}
	return &evidence.Error{File: name, Offset: -1, Msg: msg + err.Error(), Err: err}
}
