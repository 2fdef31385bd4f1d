package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// TestPagesKeepTheirConnection: on SQLite the projections following
// together write every page through one connection, which they hold
// between pages (so that its page cache keeps what they write), and give
// back to the pool when they stop.
func TestPagesKeepTheirConnection(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		e, stop := followOnSQLite(t, b, 10*time.Millisecond)

		inUse := func() int { return b.DB.SQL.Stats().InUse }
		for range 3 {
			commandstest.Workload(t, b.Store, enginetest.Now, 2, 1, 3)
			head, err := b.Store.Head(ctx)
			require.NoError(t, err)
			waitCtx, waitCancel := context.WithTimeout(ctx, 20*time.Second)
			require.NoError(t, e.WaitFor(waitCtx, head.Position))
			waitCancel()
			require.Eventually(t, func() bool { return inUse() == 1 }, 5*time.Second, 5*time.Millisecond,
				"between pages the projections hold one connection (in use: %d)", inUse())
			require.Never(t, func() bool { return inUse() == 0 }, 100*time.Millisecond, 5*time.Millisecond,
				"and keep it")
		}
		stop()
		require.Eventually(t, func() bool { return inUse() == 0 }, 5*time.Second, 5*time.Millisecond, "given back when they stop")
	})
}
