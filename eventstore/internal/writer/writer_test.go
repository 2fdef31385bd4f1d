package writer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	if tx.seal != nil {
		b.seal = tx.seal
	}
	return nil
}

type memTx struct {
	b       *memBackend
	pending []eventstore.Event
	seal    *eventstore.Seal
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
