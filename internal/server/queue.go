package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagdebug/tag/epg"
	"github.com/tagdebug/tag/internal/evidence"
	"github.com/tagdebug/tag/internal/evidence/otlp"
)

var (
	// errQueueFull refuses a request the ingest queue has no room for.
	errQueueFull = errors.New("ingest queue is full")
	// errStopped refuses a request that arrives while the worker is gone.
	errStopped = errors.New("server is shutting down")
)

// batch is one export request, decoded and ready to be stored.
type batch struct {
	in       *evidence.Input
	frag     *epg.Fragment
	rejected otlp.Rejected
}

// job is a batch on its way through the worker.
type job struct {
	ctx  context.Context
	b    *batch
	done chan error // buffered: the worker never waits for the handler
}

// storeFunc stores one batch in one transaction.
type storeFunc func(context.Context, *batch) error

// queue admits export requests up to a bound and stores them one at a
// time. A request takes a slot before its body is read and the worker
// frees it once the batch is stored, so the bound covers memory held by
// bodies as well as work waiting for the store.
type queue struct {
	slots chan struct{}
	jobs  chan *job
	stop  chan struct{}
	done  chan struct{}
	store storeFunc
}

func newQueue(size int, store storeFunc) *queue {
	return &queue{
		slots: make(chan struct{}, size),
		jobs:  make(chan *job, size),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		store: store,
	}
}

// admit takes a slot without waiting; false means the queue is full.
func (q *queue) admit() bool {
	select {
	case q.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// release frees a slot whose request will not be submitted.
func (q *queue) release() { <-q.slots }

// pending is the number of admitted requests not yet answered.
func (q *queue) pending() int { return len(q.slots) }

// submit hands an admitted batch to the worker and waits until it is
// stored or ctx ends. From here on the worker frees the slot.
func (q *queue) submit(ctx context.Context, b *batch) error {
	select {
	case <-q.stop:
		q.release()
		return errStopped
	default:
	}
	j := &job{ctx: ctx, b: b, done: make(chan error, 1)}
	q.jobs <- j // never blocks: no more jobs than slots
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run is the worker. After close(q.stop) it drains what is queued and
// returns.
func (q *queue) run() {
	defer close(q.done)
	for {
		select {
		case j := <-q.jobs:
			q.do(j)
		case <-q.stop:
			for {
				select {
				case j := <-q.jobs:
					q.do(j)
				default:
					return
				}
			}
		}
	}
}

// do stores one job unless its requester has gone. The slot is freed
// before the answer, so a client that sends its next request as soon as
// it hears back finds room.
func (q *queue) do(j *job) {
	err := j.ctx.Err()
	if err == nil {
		err = q.safeStore(j)
	}
	q.release()
	j.done <- err
}

// safeStore keeps the worker alive through a panic in a later stage.
func (q *queue) safeStore(j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("storing %s panicked: %v", j.b.in.Name, r)
		}
	}()
	return q.store(j.ctx, j.b)
}
