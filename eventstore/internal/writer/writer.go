// Package writer is the single serialized writer that every SQL backend of
// the event store shares: it queues appends, takes whatever is queued into
// one write transaction (group commit), decides each append on its own
// (idempotency, stream type, expected version), positions and hashes the
// accepted events, and hands the rows to the backend to insert.
package writer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
)

// Head is the last event of the log as a write transaction sees it.
type Head struct {
	Position   int64
	Hash       eventstore.Hash
	RecordedAt time.Time
}

// StreamState is a stream's current version and type.
type StreamState struct {
	Version int64
	Type    string
}

// Tx is what a backend offers inside one write transaction. The backend
// guarantees that no other writer, in this process or another, writes the
// log while the transaction is open.
type Tx interface {
	// State is called first, once: it returns the head of the log and the
	// state of those of the given streams that exist, as the transaction
	// sees them once it holds the log's write lock.
	State(ctx context.Context, streamIDs []string) (Head, map[string]StreamState, error)
	// Existing returns the stored events that have one of the given ids.
	Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error)
	// Insert writes positioned, hashed events and replaces the head seal.
	// A backend may send the rows with its commit; either way a
	// unique-constraint violation surfaces wrapping ErrUniqueViolation.
	Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error
}

// errLookupNeeded: an append planned without an id lookup was refused, and
// it may be a retry of one already stored, which must be answered instead.
var errLookupNeeded = errors.New("event ids must be looked up")

// ErrUniqueViolation is what a backend's Insert wraps when the database
// refuses a row for a unique constraint (an event id already stored).
var ErrUniqueViolation = errors.New("unique constraint violated")

// Backend runs write transactions.
type Backend interface {
	// WriteTx runs fn in a write transaction that excludes every other
	// writer of the log, and commits when fn returns nil. ctx is never
	// cancelled: WriteTx bounds its own waits.
	WriteTx(ctx context.Context, fn func(Tx) error) error
}

type request struct {
	ctx      context.Context
	stream   eventstore.StreamRef
	expected eventstore.ExpectedVersion
	events   []pending
	done     chan result
}

// pending is a validated event with its stored form of data and metadata.
type pending struct {
	id            uuid.UUID
	typ           string
	schemaVersion int
	data          []byte
	metadata      []byte
	occurredAt    time.Time
}

type result struct {
	events []eventstore.Event
	err    error
}

// Writer serializes the appends of one store.
type Writer struct {
	backend  Backend
	opts     eventstore.Options
	queue    chan *request
	mu       sync.RWMutex // guards closed against sends on queue
	closed   bool
	finished chan struct{}

	appends, events, batches atomic.Int64
}

// MaxEventsPerAppend bounds one append.
const MaxEventsPerAppend = 1000

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
	req, err := newRequest(ctx, stream, expected, events)
	if err != nil {
		w.appends.Add(1)
		return nil, err
	}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return nil, eventstore.ErrClosed
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
	return eventstore.Stats{Appends: w.appends.Load(), Events: w.events.Load(), Batches: w.batches.Load(), Queued: len(w.queue)}
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
}

func (w *Writer) run() {
	defer close(w.finished)
	for first := range w.queue {
		batch := []*request{first}
	drain:
		for len(batch) < w.opts.MaxBatch {
			select {
			case r, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		w.commit(batch)
	}
}

// commit decides and writes one batch. Each append is decided on its own,
// so a conflict fails only its own append. If the transaction itself fails
// (the database refused a row, the connection broke), the appends are
// retried one per transaction, so that one bad append cannot fail its
// batch-mates.
func (w *Writer) commit(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			w.answer(r, result{err: err})
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// Fresh event ids are the rule and retries the exception, so a batch is
	// first planned without looking its ids up; the unique index on event
	// ids catches a retry, and the batch is planned again with the lookup.
	results, err := w.commitOnce(live, false)
	if errors.Is(err, ErrUniqueViolation) || errors.Is(err, errLookupNeeded) {
		results, err = w.commitOnce(live, true)
	}
	if err != nil && len(live) > 1 {
		for _, r := range live {
			w.commit([]*request{r})
		}
		return
	}
	for i, r := range live {
		if err != nil {
			w.answer(r, result{err: err})
			continue
		}
		w.answer(r, results[i])
	}
}

func (w *Writer) answer(r *request, res result) {
	w.appends.Add(1)
	if res.err == nil {
		w.events.Add(int64(len(res.events)))
	}
	r.done <- res
}

func (w *Writer) commitOnce(batch []*request, lookupIDs bool) ([]result, error) {
	// A group commit is not tied to any one caller's context. The backend
	// bounds its own waits (SQLite's busy timeout, a deadline on PostgreSQL);
	// a context that cannot be cancelled spares SQLite's driver a watcher
	// goroutine per statement.
	ctx := context.Background()
	var results []result
	var written int64
	err := w.backend.WriteTx(ctx, func(tx Tx) error {
		var rows []eventstore.Event
		var seal eventstore.Seal
		var err error
		results, rows, seal, err = w.plan(ctx, tx, batch, lookupIDs)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		if err := tx.Insert(ctx, rows, seal); err != nil {
			return err
		}
		written = int64(len(rows))
		if w.opts.BeforeCommit != nil {
			w.opts.BeforeCommit(ctx)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("append: %w", err)
	}
	if written > 0 {
		w.batches.Add(1)
	}
	return results, nil
}

// plan decides every append of the batch against the log as the write
// transaction sees it, and builds the rows to insert. Without lookupIDs it
// takes every event id for new.
func (w *Writer) plan(ctx context.Context, tx Tx, batch []*request, lookupIDs bool) ([]result, []eventstore.Event, eventstore.Seal, error) {
	var streamIDs []string
	seenStream := map[string]bool{}
	var ids []uuid.UUID
	for _, r := range batch {
		if !seenStream[r.stream.ID] {
			seenStream[r.stream.ID] = true
			streamIDs = append(streamIDs, r.stream.ID)
		}
		if lookupIDs {
			for _, e := range r.events {
				ids = append(ids, e.id)
			}
		}
	}
	head, streams, err := tx.State(ctx, streamIDs)
	if err != nil {
		return nil, nil, eventstore.Seal{}, fmt.Errorf("read head and streams: %w", err)
	}
	stored := map[uuid.UUID]eventstore.Event{}
	if lookupIDs {
		found, err := tx.Existing(ctx, ids)
		if err != nil {
			return nil, nil, eventstore.Seal{}, fmt.Errorf("read event ids: %w", err)
		}
		for id, e := range found {
			stored[id] = e
		}
	}

	recordedAt := eventstore.Timestamp(w.opts.Now())
	if recordedAt.Before(head.RecordedAt) {
		// recorded_at never runs backwards along the log, so "recorded at or
		// before T" is always a prefix of it.
		recordedAt = head.RecordedAt
	}
	position, prev := head.Position, head.Hash
	results := make([]result, len(batch))
	var rows []eventstore.Event
	for i, r := range batch {
		if originals, done, err := alreadyStored(r, stored); err != nil || done {
			results[i] = result{events: originals, err: err}
			continue
		}
		state, exists := streams[r.stream.ID]
		if !lookupIDs && (exists && state.Type != r.stream.Type || !r.expected.Matches(state.Version)) {
			return nil, nil, eventstore.Seal{}, errLookupNeeded
		}
		if exists && state.Type != r.stream.Type {
			results[i] = result{err: fmt.Errorf("stream %s is a %q stream, not %q: %w", r.stream.ID, state.Type, r.stream.Type, eventstore.ErrStreamTypeMismatch)}
			continue
		}
		if !r.expected.Matches(state.Version) {
			results[i] = result{err: &eventstore.VersionConflictError{StreamID: r.stream.ID, Expected: r.expected, Current: state.Version}}
			continue
		}
		out := make([]eventstore.Event, len(r.events))
		for j, p := range r.events {
			position++
			state.Version++
			e := eventstore.Event{
				ID:             p.id,
				StreamID:       r.stream.ID,
				StreamType:     r.stream.Type,
				StreamVersion:  state.Version,
				GlobalPosition: position,
				Type:           p.typ,
				SchemaVersion:  p.schemaVersion,
				Data:           p.data,
				Metadata:       p.metadata,
				OccurredAt:     p.occurredAt,
				RecordedAt:     recordedAt,
				PrevHash:       prev,
			}
			e.Hash = eventstore.ChainHash(prev, e)
			prev = e.Hash
			out[j] = e
			stored[e.ID] = e
		}
		state.Type = r.stream.Type
		streams[r.stream.ID] = state
		rows = append(rows, out...)
		results[i] = result{events: out}
	}
	anchor := eventstore.Anchor{Position: position, Hash: prev}
	seal := eventstore.Seal{Anchor: anchor, SealedAt: recordedAt, MAC: eventstore.SealMAC(w.opts.SealKey, anchor, recordedAt)}
	return results, rows, seal, nil
}

// alreadyStored decides idempotency: done is true when every event of the
// append is stored, in this stream, with the same body (a retry); it is an
// error when only some are, or when an id is stored with another body.
func alreadyStored(r *request, stored map[uuid.UUID]eventstore.Event) ([]eventstore.Event, bool, error) {
	var found []eventstore.Event
	for _, p := range r.events {
		s, ok := stored[p.id]
		if !ok {
			continue
		}
		if s.StreamID != r.stream.ID || !sameBody(s, p) {
			return nil, false, fmt.Errorf("event %s is stored in stream %s at version %d with another body: %w", p.id, s.StreamID, s.StreamVersion, eventstore.ErrEventIDReused)
		}
		found = append(found, s)
	}
	switch len(found) {
	case 0:
		return nil, false, nil
	case len(r.events):
		return found, true, nil
	default:
		return nil, false, fmt.Errorf("%d of the %d events of this append are already stored: %w", len(found), len(r.events), eventstore.ErrEventIDReused)
	}
}

func sameBody(s eventstore.Event, p pending) bool {
	return s.Type == p.typ && s.SchemaVersion == p.schemaVersion &&
		s.OccurredAt.Equal(p.occurredAt) &&
		bytes.Equal(s.Data, p.data) && bytes.Equal(s.Metadata, p.metadata)
}

// MaxStreamIDBytes bounds stream ids and type names.
const MaxStreamIDBytes = 200

func newRequest(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events []eventstore.NewEvent) (*request, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("append to %q: %s: %w", stream.ID, fmt.Sprintf(format, args...), eventstore.ErrInvalidEvent)
	}
	switch {
	case stream.ID == "" || len(stream.ID) > MaxStreamIDBytes:
		return nil, invalid("stream id must have 1 to %d bytes", MaxStreamIDBytes)
	case stream.Type == "" || len(stream.Type) > MaxStreamIDBytes:
		return nil, invalid("stream type must have 1 to %d bytes", MaxStreamIDBytes)
	case expected < eventstore.AnyVersion:
		return nil, invalid("%s", expected)
	case len(events) == 0:
		return nil, invalid("no events")
	case len(events) > MaxEventsPerAppend:
		return nil, invalid("%d events in one append, at most %d", len(events), MaxEventsPerAppend)
	}
	req := &request{ctx: ctx, stream: stream, expected: expected, events: make([]pending, len(events)), done: make(chan result, 1)}
	seen := map[uuid.UUID]bool{}
	for i, e := range events {
		p, err := newPending(e)
		if err != nil {
			return nil, invalid("event %d: %v", i, err)
		}
		if seen[p.id] {
			return nil, invalid("event id %s appears twice", p.id)
		}
		seen[p.id] = true
		req.events[i] = p
	}
	return req, nil
}

func newPending(e eventstore.NewEvent) (pending, error) {
	switch {
	case e.Type == "" || len(e.Type) > MaxStreamIDBytes:
		return pending{}, fmt.Errorf("type must have 1 to %d bytes", MaxStreamIDBytes)
	case e.SchemaVersion < 1:
		return pending{}, errors.New("schema version must be at least 1")
	case e.OccurredAt.IsZero():
		return pending{}, errors.New("occurred_at is missing")
	case len(e.Data) > eventstore.MaxDataBytes:
		return pending{}, fmt.Errorf("data has %d bytes, at most %d", len(e.Data), eventstore.MaxDataBytes)
	case !utf8.Valid(e.Data):
		return pending{}, errors.New("data is not valid UTF-8")
	case !json.Valid(e.Data):
		return pending{}, errors.New("data is not valid JSON")
	}
	id := e.ID
	if id == uuid.Nil {
		var err error
		if id, err = uuid.NewV7(); err != nil {
			return pending{}, fmt.Errorf("new event id: %w", err)
		}
	}
	var data bytes.Buffer
	if err := json.Compact(&data, e.Data); err != nil {
		return pending{}, fmt.Errorf("compact data: %w", err)
	}
	metadata, err := json.Marshal(e.Metadata)
	if err != nil {
		return pending{}, fmt.Errorf("encode metadata: %w", err)
	}
	return pending{
		id:            id,
		typ:           e.Type,
		schemaVersion: e.SchemaVersion,
		data:          data.Bytes(),
		metadata:      metadata,
		occurredAt:    eventstore.Timestamp(e.OccurredAt),
	}, nil
}
