package worker

import (
	"testing"
	"time"
)

// TestReproStopTwice: shutdown paths may both call Stop; the second call
// must be harmless.
func TestReproStopTwice(t *testing.T) {
	w := New(time.Millisecond)
	w.Stop()
	w.Stop()
}
