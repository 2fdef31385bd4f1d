package engine_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/timeline"
)

// gatedLog holds the first call to Head until the gate opens: the feeder
// reading the head late, after the followers' first catch-up.
type gatedLog struct {
	eventstore.Store
	gate chan struct{}
	once sync.Once
}

func (g *gatedLog) Head(ctx context.Context) (eventstore.Anchor, error) {
	g.once.Do(func() { <-g.gate })
	return g.Store.Head(ctx)
}

// TestAnEventBetweenCatchUpAndFeedIsApplied: a follower catches up, an
// event is appended, and only then does the feeder read the head it starts
// from. The event lies at or before that head, so the feeder never
// announces it as new; it announces the head itself, so that the follower
// catches up to it rather than waiting for the next event — which, in a
// quiet moment, may never come (this was the stall of a min_position
// wait under load).
func TestAnEventBetweenCatchUpAndFeedIsApplied(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		first := appendEvent(t, b.Store)
		log := &gatedLog{Store: b.Store, gate: make(chan struct{})}
		// RebuildBehind -1: no rebuild at start, whose own read of the head
		// would take the gate meant for the feeder's.
		e := engine.New(log, b.DB, engine.Options{Poll: 5 * time.Millisecond, RebuildBehind: -1}, timeline.Projection{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		t.Cleanup(func() { cancel(); <-done })

		waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		require.NoError(t, e.WaitFor(waitCtx, first), "the follower caught up")
		second := appendEvent(t, b.Store)
		close(log.gate)
		waitCtx, stop = context.WithTimeout(ctx, 5*time.Second)
		defer stop()
		require.NoError(t, e.WaitFor(waitCtx, second), "the event between the catch-up and the feeder's head is applied")
	})
}

// appendEvent appends a visit to a child's file of its own and gives its
// global position.
func appendEvent(t *testing.T, store eventstore.Store) int64 {
	t.Helper()
	data, err := json.Marshal(domain.VisitRecorded{Findings: "走访", Concerns: []domain.Concern{}})
	require.NoError(t, err)
	stored, err := store.Append(context.Background(), eventlog.StreamRef(domain.ChildStream(uuid.NewString())), eventstore.NoStream,
		eventstore.NewEvent{ID: uuid.New(), Type: "child.visit_recorded", SchemaVersion: 1, Data: data, OccurredAt: enginetest.Now})
	require.NoError(t, err)
	return stored[len(stored)-1].GlobalPosition
}
