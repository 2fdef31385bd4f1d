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
		if b.DB.Dialect != readdb.SQLite {
			t.Skip("the feeder is woken on SQLite only")
		}
		ctx := context.Background()
		e := engine.New(b.Store, b.DB, engine.Options{Poll: time.Hour}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() { _ = e.Run(runCtx) }()
		<-e.Started()

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
