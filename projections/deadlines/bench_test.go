package deadlines_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/tests/readtest"
)

// BenchmarkApply applies the synthetic county (enginetest.SynthCounty:
// CARELEDGER_BENCH_CHILDREN children, default 2000, about 15 events each)
// through the deadline view alone, on SQLite and on PostgreSQL, and reports
// log events per second. "rebuild" is engine.Rebuild (pages of 20 000
// events; a rebuild does not tick, so the figure is Apply's alone); "follow" is the
// log applied from scratch in the engine's live batches of 500 events
// (engine.CatchUp); "interleaved/follow" and "interleaved/rebuild" are the
// same over a copy of the log in which the streams' events are interleaved
// (every stream's first event, then every stream's second…), so that
// streams grow over the whole log as they do in service and most batches
// add to streams the view already has; "tick" is one Tick a year after the
// county's start, over the rebuilt view, in seconds per Tick.
//
//	CARELEDGER_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench Apply -benchtime 3x ./projections/deadlines/
func BenchmarkApply(b *testing.B) {
	readtest.OnEachBackend(b, func(b *testing.B, fresh func(testing.TB) enginetest.Backend) {
		ctx := context.Background()
		bk := fresh(b)
		n := readtest.SynthCounty(b, bk.Store)

		rebuild := func(b *testing.B, bk enginetest.Backend) {
			e := engine.New(bk.Store, bk.DB, engine.Options{}, deadlines.New())
			require.NoError(b, e.Migrate(ctx))
			readtest.TimeRebuilds(b, e, n)
		}
		b.Run("rebuild", func(b *testing.B) { rebuild(b, bk) })

		follow := func(b *testing.B, bk enginetest.Backend) {
			p := deadlines.New()
			var elapsed time.Duration
			for range b.N {
				require.NoError(b, engine.New(bk.Store, bk.DB, engine.Options{}, p).Migrate(ctx))
				for _, table := range p.Tables() {
					_, err := bk.DB.SQL.ExecContext(ctx, `DROP TABLE IF EXISTS `+table)
					require.NoError(b, err)
				}
				_, err := bk.DB.SQL.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = $1`, p.Name())
				require.NoError(b, err)
				e := engine.New(bk.Store, bk.DB, engine.Options{Batch: 500}, p)
				require.NoError(b, e.Migrate(ctx))
				start := time.Now()
				require.NoError(b, e.CatchUp(ctx))
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
		}
		b.Run("follow", func(b *testing.B) { follow(b, bk) })
		b.Run("interleaved", func(b *testing.B) {
			mixed := fresh(b)
			require.NoError(b, interleave(ctx, bk.Store, mixed.Store))
			b.Run("follow", func(b *testing.B) { follow(b, mixed) })
			b.Run("rebuild", func(b *testing.B) { rebuild(b, mixed) })
		})

		b.Run("tick", func(b *testing.B) {
			e := engine.New(bk.Store, bk.DB, engine.Options{}, deadlines.New())
			require.NoError(b, e.Migrate(ctx))
			var elapsed time.Duration
			for range b.N {
				require.NoError(b, e.Rebuild(ctx, nil))
				start := time.Now()
				require.NoError(b, e.Tick(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
				elapsed += time.Since(start)
			}
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/tick")
		})
	})
}

// interleave copies the log of from into to, one event of each stream in
// turn: every stream's first event, then every stream's second, and so on.
func interleave(ctx context.Context, from, to eventstore.Store) error {
	all, err := from.ReadLog(ctx, 0, 0)
	if err != nil {
		return err
	}
	streams := map[string][]eventstore.Event{}
	var ids []string
	for _, e := range all {
		if _, ok := streams[e.StreamID]; !ok {
			ids = append(ids, e.StreamID)
		}
		streams[e.StreamID] = append(streams[e.StreamID], e)
	}
	for k := 0; ; k++ {
		var round []eventstore.Event
		for _, id := range ids {
			if s := streams[id]; k < len(s) {
				round = append(round, s[k])
			}
		}
		if len(round) == 0 {
			return nil
		}
		work := make(chan eventstore.Event)
		errs := make(chan error, len(round))
		var wg sync.WaitGroup
		for range 16 { // concurrent appends share group commits
			wg.Go(func() {
				for e := range work {
					meta, err := e.Meta()
					if err == nil {
						_, err = to.Append(ctx, eventstore.StreamRef{ID: e.StreamID, Type: e.StreamType}, eventstore.AnyVersion,
							eventstore.NewEvent{ID: e.ID, Type: e.Type, SchemaVersion: e.SchemaVersion, Data: e.Data,
								Metadata: meta, OccurredAt: e.OccurredAt})
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
		for _, e := range round {
			work <- e
		}
		close(work)
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return err
		}
	}
}
