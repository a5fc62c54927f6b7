package repro

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync"
)

// DefaultOutputLimit bounds the captured stdout and stderr of a run: the
// last bytes are kept, since failures print their story at the end.
const DefaultOutputLimit = 64 << 10

// tailBuffer keeps the last limit bytes written to it and hashes all of
// them, so a bounded capture can still be compared by digest.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
	total int64
	sum   hash.Hash
}

func newTailBuffer(limit int) *tailBuffer {
	if limit <= 0 {
		limit = DefaultOutputLimit
	}
	return &tailBuffer{limit: limit, sum: sha256.New()}
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Write(p)
	t.total += int64(len(p))
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// String is the kept tail.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// digest is the hex SHA-256 of everything written.
func (t *tailBuffer) digest() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return hex.EncodeToString(t.sum.Sum(nil))
}

// truncated reports whether bytes were dropped from the front.
func (t *tailBuffer) truncated() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total > int64(len(t.buf))
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
