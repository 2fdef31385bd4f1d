package engine_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
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

// clocked is a projection made for the engine's tests whose rows also
// change with the time: a row per event of the log (clocked_events), and a
// row per moment it was ticked at, holding how many events its table held
// then (clocked_ticks). A tick at failAt fails after writing its row. It
// counts the times its Apply or Tick ran while another of them was running.
type clocked struct {
	failAt   time.Time
	running  *atomic.Int32
	overlaps *atomic.Int32
}

func newClocked() clocked { return clocked{running: &atomic.Int32{}, overlaps: &atomic.Int32{}} }

func (clocked) Name() string     { return "clocked" }
func (clocked) Tables() []string { return []string{"clocked_events", "clocked_ticks"} }

func (clocked) Schema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS clocked_events (position {{bigint}} PRIMARY KEY)`,
		`CREATE TABLE IF NOT EXISTS clocked_ticks (at {{ts}} PRIMARY KEY, events {{bigint}} NOT NULL)`,
	}
}

// turn marks the projection busy for a moment; done ends it.
func (p clocked) turn() (done func()) {
	if p.running.Add(1) > 1 {
		p.overlaps.Add(1)
	}
	time.Sleep(time.Millisecond)
	return func() { p.running.Add(-1) }
}

func (p clocked) Apply(ctx context.Context, tx readdb.Tx, _ readdb.Dialect, events []domain.Recorded) error {
	defer p.turn()()
	for _, r := range events {
		if _, err := tx.ExecContext(ctx, `INSERT INTO clocked_events (position) VALUES ($1)`, r.Position); err != nil {
			return err
		}
	}
	return nil
}

func (p clocked) Tick(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time) (bool, error) {
	defer p.turn()()
	var events int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM clocked_events`).Scan(&events); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO clocked_ticks (at, events) VALUES ($1, $2)
		ON CONFLICT (at) DO UPDATE SET events = excluded.events`, d.Time(now), events); err != nil {
		return false, err
	}
	if now.Equal(p.failAt) {
		return false, errors.New("the clock stopped")
	}
	return false, nil
}

// ticks are the moments clocked_ticks holds, each with the events counted then.
func ticks(t *testing.T, db readdb.DB) map[time.Time]int64 {
	rows, err := db.SQL.Query(`SELECT at, events FROM clocked_ticks`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[time.Time]int64{}
	for rows.Next() {
		var at readdb.Timestamp
		var events int64
		require.NoError(t, rows.Scan(&at, &events))
		out[at.T] = events
	}
	require.NoError(t, rows.Err())
	return out
}

// TestTickRunsClockedProjectionsInATransaction: Tick runs the Tick of each
// projection that changes with the time, in a transaction of its own (a
// tick that fails leaves nothing behind and names the projection), and
// under the projection's lock: never while its Apply runs.
func TestTickRunsClockedProjectionsInATransaction(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 71, 1, 10)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		p := newClocked()
		p.failAt = enginetest.Now.Add(time.Hour)
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 1}, tally{name: "unclocked"}, p)
		require.NoError(t, e.Migrate(ctx))

		// Ticks while the projection applies the log, one event at a time.
		applied := make(chan error, 1)
		go func() { applied <- e.CatchUp(ctx) }()
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() { assert.NoError(t, e.Tick(ctx, enginetest.Now.Add(-time.Duration(i)*time.Minute))) })
		}
		wg.Wait()
		require.NoError(t, <-applied)
		assert.Zero(t, p.overlaps.Load(), "a tick never runs while the projection applies events, nor beside another tick")
		assert.Len(t, ticks(t, b.DB), 20, "every tick is committed")

		require.NoError(t, e.Tick(ctx, enginetest.Now))
		require.NoError(t, e.Tick(ctx, enginetest.Now))
		assert.Equal(t, head.Position, ticks(t, b.DB)[enginetest.Now.UTC()], "a tick sees what the projection applied")
		assert.Len(t, ticks(t, b.DB), 20, "ticking at the same moment again changes nothing")

		err = e.Tick(ctx, p.failAt)
		assert.ErrorContains(t, err, "the clock stopped")
		assert.ErrorContains(t, err, "clocked", "the error names the projection")
		assert.NotContains(t, ticks(t, b.DB), p.failAt.UTC(), "a tick that fails leaves nothing behind")
		assert.Equal(t, head.Position, positions(e)["clocked"], "nor moves the checkpoint")
	})
}

// TestRebuildKnowsNoClock: a rebuild builds a projection that changes with
// the time from the log alone — the rebuilt table holds every event and
// none of the ticks of the live tables it replaced — and the next Tick
// brings it up to its time.
func TestRebuildKnowsNoClock(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 72, 1, 10)
		rebuiltAt := enginetest.Now.Add(time.Minute)
		e := engine.New(b.Store, b.DB, engine.Options{RebuildBatch: 7}, newClocked())
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		require.NoError(t, e.Tick(ctx, enginetest.Now))
		require.Len(t, ticks(t, b.DB), 1)
		commandstest.Workload(t, b.Store, enginetest.Now, 73, 1, 5) // the live tables fall behind
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)

		require.NoError(t, e.Rebuild(ctx, nil))
		assert.Empty(t, ticks(t, b.DB), "the live tables' tick is gone with them")
		require.NoError(t, e.Tick(ctx, rebuiltAt))
		assert.Equal(t, map[time.Time]int64{rebuiltAt.UTC(): head.Position}, ticks(t, b.DB))
		assert.Equal(t, head.Position, count(t, b.DB, `SELECT count(*) FROM clocked_events`))
		assert.Equal(t, head.Position, positions(e)["clocked"])
		assert.Zero(t, shadowsLeft(t, b))
	})
}
