package engine_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/timeline"
)

// TestWaitersSleepUntilTheirPosition: a WaitFor call is woken once, when
// what it waits for is applied; checkpoints that move short of it leave it
// asleep, however many pages and projections move them; a wait given up
// leaves nothing behind.
func TestWaitersSleepUntilTheirPosition(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		e, stop := following(t, b, engine.Options{Poll: 10 * time.Millisecond}, caseview.Projection{}, timeline.Projection{})
		defer stop()

		farCtx, giveUp := context.WithCancel(ctx)
		const far = 10
		var wg sync.WaitGroup
		for range far {
			wg.Add(1)
			go func() {
				defer wg.Done()
				assert.ErrorIs(t, e.WaitFor(farCtx, 1<<40), context.Canceled)
			}()
		}
		require.Eventually(t, func() bool { waiting, _ := engine.Waiting(e); return waiting == far }, 5*time.Second, time.Millisecond)

		const rounds = 3
		for range rounds {
			commandstest.Workload(t, b.Store, enginetest.Now, 2, 1, 3)
			head, err := b.Store.Head(ctx)
			require.NoError(t, err)
			waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
			require.NoError(t, e.WaitFor(waitCtx, head.Position))
			cancel()
		}
		waiting, woken := engine.Waiting(e)
		assert.Equal(t, far, waiting, "the far waits still wait")
		assert.LessOrEqual(t, woken, int64(rounds), "each round's wait woken at most once; the far ones never")

		giveUp()
		wg.Wait()
		waiting, _ = engine.Waiting(e)
		assert.Zero(t, waiting, "a wait given up is gone")
	})
}
