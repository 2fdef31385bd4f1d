package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// TestAWaitWakesTheFeeder: on SQLite, a read waiting for its own write
// (WaitFor) has the feeder read the log at once, not at its next poll —
// here an hour away, so that only the wake can bring the write in time.
// (On PostgreSQL the feeder polls: see Options.Poll.)
func TestAWaitWakesTheFeeder(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		e, stop := followOnSQLite(t, b, time.Hour)
		defer stop()

		for range 3 {
			commandstest.Workload(t, b.Store, enginetest.Now, 2, 1, 3)
			head, err := b.Store.Head(ctx)
			require.NoError(t, err)
			waitCtx, waitCancel := context.WithTimeout(ctx, 20*time.Second)
			began := time.Now()
			require.NoError(t, e.WaitFor(waitCtx, head.Position), "the write was applied before the wait's bound")
			waitCancel()
			t.Logf("applied %d after %v", head.Position, time.Since(began))
		}
	})
}

// followOnSQLite runs an engine of the case view on b, its feeder polling
// every poll, once it follows; stop ends it and returns when it has. Off
// SQLite the test is skipped: there the projections do not follow together
// and the feeder is not woken.
func followOnSQLite(t *testing.T, b enginetest.Backend, poll time.Duration) (e *engine.Engine, stop func()) {
	t.Helper()
	if b.DB.Dialect != readdb.SQLite {
		t.Skip("the projections follow together, and the feeder is woken, on SQLite only")
	}
	return following(t, b, engine.Options{Poll: poll}, caseview.Projection{})
}

// following runs an engine of ps on b, once it follows; stop ends it and
// returns when it has.
func following(t *testing.T, b enginetest.Backend, opts engine.Options, ps ...engine.Projection) (e *engine.Engine, stop func()) {
	t.Helper()
	e = engine.New(b.Store, b.DB, opts, ps...)
	require.NoError(t, e.Migrate(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = e.Run(ctx) }()
	<-e.Started()
	return e, func() { cancel(); <-done }
}
