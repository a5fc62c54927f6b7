// Package worker runs a background loop until stopped. Its bug: Stop
// closes the quit channel every time it is called, and both the signal
// handler and the deferred shutdown call it, so the second call panics.
package worker

import "time"

// Worker ticks until Stop.
type Worker struct {
	Every time.Duration
	quit  chan struct{}
	done  chan struct{}
}

// New starts a worker.
func New(every time.Duration) *Worker {
	w := &Worker{Every: every, quit: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

func (w *Worker) loop() {
	defer close(w.done)
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-w.quit:
			return
		}
	}
}

// Stop ends the loop and waits for it.
func (w *Worker) Stop() {
	close(w.quit)
	<-w.done
}
