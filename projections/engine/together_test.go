package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// recorder is a projection that keeps the positions it applied, and
// notes, per batch, the transaction it was given. From position failFrom
// on (0: never) it fails, every time.
type recorder struct {
	name     string
	failFrom int64
	mu       *sync.Mutex
	// seen: the last position of a batch → the batch's transaction, kept
	// rather than its address, which a transaction made after it was freed
	// could reuse.
	seen map[int64]readdb.Tx
}

func (r recorder) Name() string     { return r.name }
func (r recorder) Tables() []string { return []string{"rec_" + r.name} }
func (r recorder) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rec_` + r.name + ` (position {{bigint}} PRIMARY KEY)`}
}

func (r recorder) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	for _, ev := range events {
		if r.failFrom > 0 && ev.Position >= r.failFrom {
			return fmt.Errorf("%s cannot take event %d", r.name, ev.Position)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rec_`+r.name+` (position) VALUES ($1)`, ev.Position); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[events[len(events)-1].Position] = tx
	return nil
}

// TestProjectionsApplyTogether: on SQLite the projections following in
// the feeding process apply each page in one transaction; a projection
// that cannot take an event stops alone, before it, while the others
// apply the whole log. On PostgreSQL each keeps its own transactions.
func TestProjectionsApplyTogether(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 7, 1, 5)
		start, err := b.Store.Head(ctx)
		require.NoError(t, err)
		var mu sync.Mutex
		mk := func(name string, failFrom int64) recorder {
			return recorder{name: name, failFrom: failFrom, mu: &mu, seen: map[int64]readdb.Tx{}}
		}
		failAt := start.Position + 40
		a, c, bad := mk("a", 0), mk("c", 0), mk("bad", failAt)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 7, Poll: 5 * time.Millisecond, Attempts: 2}, a, bad, c)
		require.NoError(t, e.Migrate(ctx))
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		caughtUp, stopWait := context.WithTimeout(ctx, 20*time.Second)
		defer stopWait()
		require.NoError(t, e.WaitFor(caughtUp, start.Position))
		commandstest.Workload(t, b.Store, enginetest.Now, 8, 2, 40)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		waitCtx, waitCancel := context.WithTimeout(ctx, 30*time.Second)
		defer waitCancel()
		err = e.WaitFor(waitCtx, head.Position)
		require.True(t, errors.Is(err, engine.ErrStopped), "WaitFor: %v", err)
		// The healthy ones get there too.
		require.Eventually(t, func() bool {
			for _, s := range e.Statuses() {
				if s.Name != "bad" && s.Position != head.Position {
					return false
				}
			}
			return true
		}, 20*time.Second, 10*time.Millisecond)
		cancel()
		require.NoError(t, <-done)

		for _, s := range e.Statuses() {
			if s.Name == "bad" {
				// Before the batch holding the event it cannot take.
				assert.GreaterOrEqual(t, s.Position, failAt-7)
				assert.Less(t, s.Position, failAt)
				assert.Error(t, s.Stopped)
			} else {
				assert.NoError(t, s.Stopped, s.Name)
			}
		}
		for _, name := range []string{"a", "c"} {
			var n, most int64
			require.NoError(t, b.DB.SQL.QueryRow(`SELECT count(*), coalesce(max(position), 0) FROM rec_`+name).Scan(&n, &most))
			assert.Equal(t, head.Position, n, "%s applied every event once", name)
			assert.Equal(t, head.Position, most)
		}

		mu.Lock()
		defer mu.Unlock()
		shared := 0
		for pos, tx := range a.seen {
			if c.seen[pos] == tx {
				shared++
			}
		}
		if b.DB.Dialect == readdb.SQLite {
			assert.Positive(t, shared, "pages applied by a and c in one transaction")
		} else {
			assert.Zero(t, shared, "each projection in its own transactions")
		}
	})
}
