package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/timeline"
)

// TestNudgeWakesTheFeeder: with a poll far longer than the test, an event
// appended after the feeder started is applied only because the feeder is
// nudged; without the nudge it would wait for the poll an hour away.
func TestNudgeWakesTheFeeder(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		first := appendEvent(t, b.Store)
		e := engine.New(b.Store, b.DB, engine.Options{Poll: time.Hour, RebuildBehind: -1}, timeline.Projection{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		t.Cleanup(func() { cancel(); <-done })
		waitCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		require.NoError(t, e.WaitFor(waitCtx, first), "the follower caught up at start")
		// The feeder has announced its head and sleeps until its poll. The
		// head it read may be older than first's append, so let it settle.
		time.Sleep(100 * time.Millisecond)

		second := appendEvent(t, b.Store)
		quiet, stopQuiet := context.WithTimeout(ctx, 300*time.Millisecond)
		defer stopQuiet()
		require.Error(t, e.WaitFor(quiet, second), "without a nudge the event waits for the poll")
		e.Nudge()
		waitCtx, stop = context.WithTimeout(ctx, 5*time.Second)
		defer stop()
		require.NoError(t, e.WaitFor(waitCtx, second), "the nudged feeder reads the event at once")
	})
}
