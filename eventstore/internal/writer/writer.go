// Package writer is the single serialized writer that every SQL backend of
// the event store shares: it queues appends, takes whatever is queued into
// one write transaction (group commit), decides each append on its own
// (idempotency, stream type, expected version), positions and hashes the
// accepted events, and hands the rows to the backend to insert.
package writer

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careledger/careledger/eventstore"
)

// Writer serializes the appends of one store.
type Writer struct {
	backend  Backend
	opts     eventstore.Options
	queue    chan *request
	mu       sync.RWMutex // guards closed against sends on queue
	closed   bool
	finished chan struct{}
	// committing is held by whoever runs a group commit: the writer
	// goroutine, or a caller that found the writer idle (leaders).
	committing sync.Mutex
	leaders    sync.WaitGroup
	held       atomic.Int64 // appends the writer goroutine holds, waiting to commit

	appends, events, batches atomic.Int64

	// known is what the writer last saw or wrote; guarded by committing.
	known knownState
}

// New starts a writer on backend.
func New(backend Backend, opts eventstore.Options) *Writer {
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Writer{
		backend:  backend,
		opts:     opts,
		queue:    make(chan *request, 4*opts.MaxBatch),
		finished: make(chan struct{}),
	}
	go w.run()
	return w
}

// Append validates the events, queues them and waits for the group commit
// that decides them. If ctx ends while the append is already in a
// transaction, Append returns ctx.Err() and the append may still have been
// written: retry with the same event ids to learn the outcome.
func (w *Writer) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events []eventstore.NewEvent) ([]eventstore.Event, error) {
	return w.AppendWith(ctx, stream, expected, nil, events)
}

// AppendWith is Append with companion rows (eventstore.CompanionStore),
// written in the transaction that stores the events, and only if it does.
func (w *Writer) AppendWith(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events []eventstore.NewEvent) ([]eventstore.Event, error) {
	req, err := newRequest(ctx, stream, expected, companions, events)
	if err != nil {
		w.appends.Add(1)
		return nil, err
	}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return nil, eventstore.ErrClosed
	}
	// When no group commit is under way, the caller commits its own append
	// (and whatever queued meanwhile) at once, sparing two goroutine
	// hand-offs; otherwise it queues for the writer goroutine, which batches.
	if w.committing.TryLock() {
		w.leaders.Add(1)
		w.mu.RUnlock()
		w.commit(w.drain([]*request{req}))
		w.committing.Unlock()
		w.leaders.Done()
		res := <-req.done
		return res.events, res.err
	}
	select {
	case w.queue <- req:
		w.mu.RUnlock()
	case <-ctx.Done():
		w.mu.RUnlock()
		return nil, ctx.Err()
	}
	select {
	case res := <-req.done:
		return res.events, res.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Stats reports the writer's counters.
func (w *Writer) Stats() eventstore.Stats {
	return eventstore.Stats{Appends: w.appends.Load(), Events: w.events.Load(), Batches: w.batches.Load(), Queued: len(w.queue) + int(w.held.Load())}
}

// Close stops taking appends, finishes those queued and stops the writer.
func (w *Writer) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.finished
	w.leaders.Wait()
}

func (w *Writer) run() {
	defer close(w.finished)
	for first := range w.queue {
		w.held.Store(1) // still waiting, though no longer in the queue
		w.committing.Lock()
		batch := w.drain([]*request{first})
		w.held.Store(0)
		w.commit(batch)
		w.committing.Unlock()
	}
}

// drain adds to batch what is queued, up to MaxBatch, without waiting.
func (w *Writer) drain(batch []*request) []*request {
	for len(batch) < w.opts.MaxBatch {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}
