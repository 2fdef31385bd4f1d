package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
)

// memBackend is an in-memory log whose Insert refuses any batch holding a
// "poison" event, as a database would refuse a row it cannot store.
type memBackend struct {
	mu      sync.Mutex
	events  []eventstore.Event
	seal    *eventstore.Seal
	gate    chan struct{} // when set, the first WriteTx waits on it
	entered chan struct{}
	txs     int
	// rows are the companion rows stored, by table and first value.
	rows map[string]bool
}

func (b *memBackend) WriteTx(ctx context.Context, fn func(Tx) error) error {
	b.mu.Lock()
	b.txs++
	first := b.txs == 1
	b.mu.Unlock()
	if first && b.gate != nil {
		close(b.entered)
		<-b.gate
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	tx := &memTx{b: b}
	if err := fn(tx); err != nil {
		return err
	}
	b.events = append(b.events, tx.pending...)
	for _, row := range tx.rows {
		if b.rows == nil {
			b.rows = map[string]bool{}
		}
		b.rows[row] = true
	}
	if tx.seal != nil {
		b.seal = tx.seal
	}
	return nil
}

type memTx struct {
	b       *memBackend
	pending []eventstore.Event
	seal    *eventstore.Seal
	rows    []string
}

// Companions keys each row by its table and first value, as a primary key.
func (t *memTx) Companions(_ context.Context, rows []eventstore.Companion) error {
	for _, c := range rows {
		key := fmt.Sprint(c.Table, "/", c.Values[0])
		if t.b.rows[key] || slices.Contains(t.rows, key) {
			return fmt.Errorf("%s: %w", key, eventstore.ErrCompanionConflict)
		}
		t.rows = append(t.rows, key)
	}
	return nil
}

func (t *memTx) State(_ context.Context, ids []string) (LogState, error) {
	var head Head
	if n := len(t.b.events); n > 0 {
		last := t.b.events[n-1]
		head = Head{Position: last.GlobalPosition, Hash: last.Hash, RecordedAt: last.RecordedAt}
	}
	out := map[string]StreamState{}
	for _, e := range t.b.events {
		for _, id := range ids {
			if e.StreamID == id {
				out[id] = StreamState{Version: e.StreamVersion, Type: e.StreamType}
			}
		}
	}
	st := LogState{Head: head, Streams: out}
	if t.b.seal != nil {
		st.Seal, st.Sealed = *t.b.seal, true
	}
	return st, nil
}

func (t *memTx) Expect(ctx context.Context, head Head, streams map[string]StreamState) error {
	ids := make([]string, 0, len(streams))
	for id := range streams {
		ids = append(ids, id)
	}
	actual, _ := t.State(ctx, ids)
	if actual.Head != head {
		return ErrStale
	}
	for id, st := range streams {
		if actual.Streams[id].Version != st.Version {
			return ErrStale
		}
	}
	return nil
}

func (t *memTx) Existing(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error) {
	out := map[uuid.UUID]eventstore.Event{}
	for _, e := range t.b.events {
		for _, id := range ids {
			if e.ID == id {
				out[id] = e
			}
		}
	}
	return out, nil
}

func (t *memTx) Insert(_ context.Context, events []eventstore.Event, seal eventstore.Seal) error {
	for _, e := range events {
		if e.Type == "poison" {
			return errors.New("database refused the row")
		}
		for _, s := range t.b.events {
			if s.ID == e.ID {
				return fmt.Errorf("%w: event_id", ErrUniqueViolation)
			}
		}
	}
	t.pending, t.seal = events, &seal
	return nil
}

func newEvent(typ string) eventstore.NewEvent {
	return eventstore.NewEvent{ID: uuid.Must(uuid.NewV7()), Type: typ, SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: time.Now()}
}

// TestFailedTransactionIsRetriedAppendByAppend: when the database refuses a
// whole group commit, each append is retried on its own, so only the bad
// one fails.
func TestFailedTransactionIsRetriedAppendByAppend(t *testing.T) {
	b := &memBackend{gate: make(chan struct{}), entered: make(chan struct{})}
	w := New(b, eventstore.Options{})
	defer w.Close()
	ctx := context.Background()

	go func() {
		_, err := w.Append(ctx, eventstore.StreamRef{ID: "s-0", Type: "case"}, eventstore.NoStream, []eventstore.NewEvent{newEvent("note")})
		assert.NoError(t, err)
	}()
	<-b.entered
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			typ := "note"
			if i == 4 {
				typ = "poison"
			}
			_, errs[i] = w.Append(ctx, eventstore.StreamRef{ID: fmt.Sprintf("s-%d", i+1), Type: "case"}, eventstore.NoStream, []eventstore.NewEvent{newEvent(typ)})
		}()
	}
	require.Eventually(t, func() bool { return w.Stats().Queued == n }, 5*time.Second, time.Millisecond)
	close(b.gate)
	wg.Wait()
	for i, err := range errs {
		if i == 4 {
			assert.ErrorContains(t, err, "database refused the row")
		} else {
			assert.NoError(t, err, "append %d", i)
		}
	}
	assert.Len(t, b.events, n, "the first append and nine of the ten")
	for i, e := range b.events {
		assert.Equal(t, int64(i+1), e.GlobalPosition)
	}
}

// TestRecordedAtNeverRunsBackwards: a clock that steps back does not make a
// later event look recorded earlier.
func TestRecordedAtNeverRunsBackwards(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	b := &memBackend{}
	w := New(b, eventstore.Options{Now: clock})
	defer w.Close()
	ctx := context.Background()
	first, err := w.Append(ctx, eventstore.StreamRef{ID: "s", Type: "case"}, eventstore.AnyVersion, []eventstore.NewEvent{newEvent("note")})
	require.NoError(t, err)
	mu.Lock()
	now = now.Add(-time.Hour)
	mu.Unlock()
	second, err := w.Append(ctx, eventstore.StreamRef{ID: "s", Type: "case"}, eventstore.AnyVersion, []eventstore.NewEvent{newEvent("note")})
	require.NoError(t, err)
	assert.Equal(t, first[0].RecordedAt, second[0].RecordedAt)
}

// TestCompanionRowsGoWithTheirEvents: an append's companion rows are stored
// with its events, in one group commit with others; an append refused for
// its expected version, or answered as a retry, writes none; a row whose
// key is taken fails its own append alone, storing nothing of it.
func TestCompanionRowsGoWithTheirEvents(t *testing.T) {
	b := &memBackend{}
	w := New(b, eventstore.Options{})
	defer w.Close()
	ctx := context.Background()
	retried := newEvent("note")
	_, err := w.AppendWith(ctx, eventstore.StreamRef{ID: "s-retried", Type: "case"}, eventstore.NoStream, keyRow("retried"), []eventstore.NewEvent{retried})
	require.NoError(t, err)

	errs := groupCommit(t, w, b, []companionAppend{
		{"s-1", eventstore.NoStream, "a", newEvent("note")},
		{"s-2", eventstore.Exactly(7), "b", newEvent("note")}, // refused: no row
		{"s-retried", eventstore.NoStream, "c", retried},      // a retry: no row
		{"s-3", eventstore.NoStream, "d", newEvent("note")},
	})
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], eventstore.ErrVersionConflict)
	assert.NoError(t, errs[2])
	assert.NoError(t, errs[3])
	assert.Equal(t, map[string]bool{"keys/retried": true, "keys/a": true, "keys/d": true}, b.rows)

	errs = groupCommit(t, w, b, []companionAppend{
		{"s-4", eventstore.NoStream, "e", newEvent("note")},
		{"s-5", eventstore.NoStream, "a", newEvent("note")}, // a's row is stored
		{"s-6", eventstore.NoStream, "e", newEvent("note")}, // e's goes in with s-4
	})
	assert.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], eventstore.ErrCompanionConflict)
	assert.ErrorIs(t, errs[2], eventstore.ErrCompanionConflict)
	assert.Equal(t, map[string]bool{"keys/retried": true, "keys/a": true, "keys/d": true, "keys/e": true}, b.rows)
	var streams []string
	for _, e := range b.events {
		streams = append(streams, e.StreamID)
	}
	assert.ElementsMatch(t, []string{"s-retried", "s-0", "s-1", "s-3", "s-0", "s-4"}, streams, "nothing of s-2, s-5 or s-6")
}

// companionAppend is an append of one event with the row of a subject's key.
type companionAppend struct {
	stream   string
	expected eventstore.ExpectedVersion
	subject  string
	event    eventstore.NewEvent
}

func keyRow(subject string) []eventstore.Companion {
	return []eventstore.Companion{{Table: "keys", Columns: []string{"subject"}, Values: []any{subject}}}
}

// groupCommit queues the appends, in order, behind a group commit held at
// the gate (an append to a stream of its own, s-0), so that they are
// decided in the one next transaction; it answers their errors.
func groupCommit(t *testing.T, w *Writer, b *memBackend, appends []companionAppend) []error {
	t.Helper()
	ctx := context.Background()
	b.mu.Lock()
	b.txs, b.gate, b.entered = 0, make(chan struct{}), make(chan struct{})
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := w.Append(ctx, eventstore.StreamRef{ID: "s-0", Type: "case"}, eventstore.AnyVersion, []eventstore.NewEvent{newEvent("note")})
		assert.NoError(t, err)
	}()
	<-b.entered
	errs := make([]error, len(appends))
	var wg sync.WaitGroup
	for i, a := range appends {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.AppendWith(ctx, eventstore.StreamRef{ID: a.stream, Type: "case"}, a.expected, keyRow(a.subject), []eventstore.NewEvent{a.event})
		}()
		require.Eventually(t, func() bool { return w.Stats().Queued == i+1 }, 5*time.Second, time.Millisecond)
	}
	close(b.gate)
	wg.Wait()
	<-done
	b.gate = nil
	return errs
}

// TestCompanionRowsAreChecked: a table or column that is not a plain SQL
// name is refused before anything is queued.
func TestCompanionRowsAreChecked(t *testing.T) {
	w := New(&memBackend{}, eventstore.Options{})
	defer w.Close()
	for _, c := range []eventstore.Companion{
		{Table: "keys; DROP TABLE events", Columns: []string{"subject"}, Values: []any{"x"}},
		{Table: "keys", Columns: []string{"subject) VALUES (1); --"}, Values: []any{"x"}},
		{Table: "keys", Columns: []string{"subject"}, Values: []any{"x", "y"}},
		{Table: "keys"},
	} {
		_, err := w.AppendWith(context.Background(), eventstore.StreamRef{ID: "s", Type: "case"}, eventstore.AnyVersion, []eventstore.Companion{c}, []eventstore.NewEvent{newEvent("note")})
		assert.ErrorIs(t, err, eventstore.ErrInvalidEvent, "%+v", c)
	}
}
