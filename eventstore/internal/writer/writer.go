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

// LogState is what a write transaction reads under the write lock.
type LogState struct {
	Head    Head
	Streams map[string]StreamState // the streams asked for that exist
	Seal    eventstore.Seal
	Sealed  bool // false when there is no seal row
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
	// State is called first, once, unless Expect is: it returns the head of
	// the log, the head seal, and the state of those of the given streams
	// that exist, as the transaction sees them once it holds the write lock.
	State(ctx context.Context, streamIDs []string) (LogState, error)
	// Expect stands in for State when the writer believes it knows the head
	// and the streams' states (version 0: no such stream). The backend takes
	// the write lock and makes sure the beliefs hold, at the latest when the
	// rows go in: by checking them (failing with ErrStale), or by leaning on
	// the unique indexes. The writer only ever believes what those indexes
	// verify: that the next position is free (else the head moved), and that
	// each stream is at a version it saw itself under a head since verified,
	// or at version 0 (else the stream's version 1 is taken).
	Expect(ctx context.Context, head Head, streams map[string]StreamState) error
	// Existing returns the stored events that have one of the given ids.
	Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error)
	// Insert writes positioned, hashed events and replaces the head seal.
	// A backend may send the rows with its commit; either way a
	// unique-constraint violation surfaces wrapping ErrUniqueViolation.
	Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error
}

// ErrStale is what a backend returns when what the writer expected (Tx.Expect)
// is not what the log holds: another process wrote in between.
var ErrStale = errors.New("the log is not as the writer expected")

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
	// committing is held by whoever runs a group commit: the writer
	// goroutine, or a caller that found the writer idle (leaders).
	committing sync.Mutex
	leaders    sync.WaitGroup
	held       atomic.Int64 // appends the writer goroutine holds, waiting to commit

	appends, events, batches atomic.Int64

	// known is what the writer last saw or wrote; guarded by committing.
	known knownState
}

// knownState is the head and stream states the writer believes current.
// Every use of it is checked by the backend (Tx.Expect), so a wrong belief
// costs a second transaction, never a wrong write.
type knownState struct {
	valid   bool
	head    Head
	streams map[string]StreamState
}

// maxKnownStreams bounds the streams the writer remembers.
const maxKnownStreams = 1 << 14

func (k *knownState) remember(id string, st StreamState) {
	if k.streams == nil || len(k.streams) >= maxKnownStreams {
		k.streams = make(map[string]StreamState)
	}
	k.streams[id] = st
}

// mode is how a group commit learns the state of the log.
type mode int

const (
	// speculate: take the head and stream states the writer knows (or the
	// appends expect) and let the backend check them with the rows — one
	// round trip on PostgreSQL.
	speculate mode = iota
	// read: read the head and stream states under the write lock.
	read
	// lookup: read them and look every event id up, to answer retries.
	lookup
)

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
	// When the writer knows the log's state, it does not even read it first.
	m := read
	if w.known.valid {
		m = speculate
	}
	results, err := w.commitOnce(live, m)
	if m == speculate && errors.Is(err, ErrStale) {
		results, err = w.commitOnce(live, read)
	}
	if errors.Is(err, ErrUniqueViolation) || errors.Is(err, errLookupNeeded) {
		results, err = w.commitOnce(live, lookup)
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

func (w *Writer) commitOnce(batch []*request, m mode) ([]result, error) {
	// A group commit is not tied to any one caller's context. The backend
	// bounds its own waits (SQLite's busy timeout, a deadline on PostgreSQL);
	// a context that cannot be cancelled spares SQLite's driver a watcher
	// goroutine per statement.
	ctx := context.Background()
	var p plan
	err := w.backend.WriteTx(ctx, func(tx Tx) error {
		var err error
		if p, err = w.plan(ctx, tx, batch, m); err != nil {
			return err
		}
		if len(p.rows) == 0 {
			return nil
		}
		if err := tx.Insert(ctx, p.rows, p.seal); err != nil {
			return err
		}
		if w.opts.BeforeCommit != nil {
			w.opts.BeforeCommit(ctx)
		}
		return nil
	})
	if err != nil {
		w.known.valid = false
		return nil, fmt.Errorf("append: %w", err)
	}
	if len(p.rows) > 0 {
		w.batches.Add(1)
	}
	w.known.valid, w.known.head = true, p.head
	for id, st := range p.streams {
		w.known.remember(id, st)
	}
	return p.results, nil
}

// plan is a group commit decided: each append's result, the rows to
// insert, the new seal, and the head and stream states after the commit.
type plan struct {
	results []result
	rows    []eventstore.Event
	seal    eventstore.Seal
	head    Head
	streams map[string]StreamState
}

// plan decides every append of the batch against the log as the write
// transaction sees it (or, speculating, as the writer believes it to be),
// and builds the rows to insert.
func (w *Writer) plan(ctx context.Context, tx Tx, batch []*request, m mode) (plan, error) {
	var head Head
	var streams map[string]StreamState
	switch m {
	case speculate:
		head, streams = w.known.head, w.assume(batch)
		if streams == nil {
			return plan{}, ErrStale
		}
		if err := tx.Expect(ctx, head, streams); err != nil {
			return plan{}, fmt.Errorf("check head and streams: %w", err)
		}
	default:
		var ids []string
		seen := map[string]bool{}
		for _, r := range batch {
			if !seen[r.stream.ID] {
				seen[r.stream.ID] = true
				ids = append(ids, r.stream.ID)
			}
		}
		st, err := tx.State(ctx, ids)
		if err != nil {
			return plan{}, fmt.Errorf("read head and streams: %w", err)
		}
		if err := checkSeal(st); err != nil {
			return plan{}, err
		}
		head, streams = st.Head, st.Streams
		for _, id := range ids {
			if _, ok := streams[id]; !ok {
				streams[id] = StreamState{} // read under the lock: no such stream
			}
		}
	}
	stored := map[uuid.UUID]eventstore.Event{}
	if m == lookup {
		var ids []uuid.UUID
		for _, r := range batch {
			for _, e := range r.events {
				ids = append(ids, e.id)
			}
		}
		found, err := tx.Existing(ctx, ids)
		if err != nil {
			return plan{}, fmt.Errorf("read event ids: %w", err)
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
	p := plan{results: make([]result, len(batch)), streams: map[string]StreamState{}}
	for id, st := range streams {
		p.streams[id] = st
	}
	for i, r := range batch {
		if originals, done, err := alreadyStored(r, stored); err != nil || done {
			p.results[i] = result{events: originals, err: err}
			continue
		}
		state, exists := p.streams[r.stream.ID]
		exists = exists && state.Version > 0
		typeClash := exists && state.Type != r.stream.Type
		if m != lookup && (typeClash || !r.expected.Matches(state.Version)) {
			return plan{}, errLookupNeeded
		}
		if typeClash {
			p.results[i] = result{err: fmt.Errorf("stream %s is a %q stream, not %q: %w", r.stream.ID, state.Type, r.stream.Type, eventstore.ErrStreamTypeMismatch)}
			continue
		}
		if !r.expected.Matches(state.Version) {
			p.results[i] = result{err: &eventstore.VersionConflictError{StreamID: r.stream.ID, Expected: r.expected, Current: state.Version}}
			continue
		}
		out := make([]eventstore.Event, len(r.events))
		for j, pe := range r.events {
			position++
			state.Version++
			e := eventstore.Event{
				ID:             pe.id,
				StreamID:       r.stream.ID,
				StreamType:     r.stream.Type,
				StreamVersion:  state.Version,
				GlobalPosition: position,
				Type:           pe.typ,
				SchemaVersion:  pe.schemaVersion,
				Data:           pe.data,
				Metadata:       pe.metadata,
				OccurredAt:     pe.occurredAt,
				RecordedAt:     recordedAt,
				PrevHash:       prev,
			}
			e.Hash = eventstore.ChainHash(prev, e)
			prev = e.Hash
			out[j] = e
			stored[e.ID] = e
		}
		state.Type = r.stream.Type
		p.streams[r.stream.ID] = state
		p.rows = append(p.rows, out...)
		p.results[i] = result{events: out}
	}
	p.head = head
	if len(p.rows) > 0 {
		p.head = Head{Position: position, Hash: prev, RecordedAt: recordedAt}
	}
	anchor := eventstore.Anchor{Position: position, Hash: prev}
	p.seal = eventstore.Seal{Anchor: anchor, SealedAt: recordedAt, MAC: eventstore.SealMAC(w.opts.SealKey, anchor, recordedAt)}
	return p, nil
}

// checkSeal refuses to extend a log whose head is not the one its seal
// records: the end of the log was removed or forged behind the store's back,
// and appending would continue the chain from there and rewrite the seal,
// erasing the evidence. (Verify says where; the seal's signature is
// Verify's to check.)
func checkSeal(st LogState) error {
	switch {
	case st.Sealed && (st.Seal.Position != st.Head.Position || st.Seal.Hash != st.Head.Hash):
		return fmt.Errorf("the log ends at position %d but its seal at %d: %w", st.Head.Position, st.Seal.Position, eventstore.ErrLogTampered)
	case !st.Sealed && st.Head.Position > 0:
		return fmt.Errorf("the log has %d events and no seal: %w", st.Head.Position, eventstore.ErrLogTampered)
	}
	return nil
}

// assume is the state of the batch's streams the writer can speculate on:
// what it knows (the head it knows vouches for it), else version 0 for an
// append that expects no stream or any version. It returns nil when an
// append expects a version of a stream the writer does not know: that must
// be read.
func (w *Writer) assume(batch []*request) map[string]StreamState {
	out := map[string]StreamState{}
	for _, r := range batch {
		if _, ok := out[r.stream.ID]; ok {
			continue
		}
		known, ok := w.known.streams[r.stream.ID]
		switch {
		case ok:
			out[r.stream.ID] = known
		case r.expected == eventstore.AnyVersion || r.expected == eventstore.NoStream:
			out[r.stream.ID] = StreamState{}
		default:
			return nil
		}
	}
	return out
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
