package deadlines_test

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// BenchmarkApply applies a synthetic county (commands/synth, a fixed seed,
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
	children := 2000
	if v, err := strconv.Atoi(os.Getenv("CARELEDGER_BENCH_CHILDREN")); err == nil && v > 0 {
		children = v
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			var bk enginetest.Backend
			if kind == "sqlite" {
				bk = enginetest.SQLite(b)
			} else {
				bk = enginetest.Postgres(b)
			}
			start := time.Now()
			n, err := synth.Make(ctx, bk.Store, synth.County{Seed: 2026, Children: children}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d events generated in %s", kind, n, time.Since(start).Round(time.Millisecond))

			rebuild := func(b *testing.B, bk enginetest.Backend) {
				e := engine.New(bk.Store, bk.DB, engine.Options{}, deadlines.New())
				if err := e.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				var elapsed time.Duration
				for range b.N {
					start := time.Now()
					if err := e.Rebuild(ctx, nil); err != nil {
						b.Fatal(err)
					}
					elapsed += time.Since(start)
				}
				b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
			}
			b.Run("rebuild", func(b *testing.B) { rebuild(b, bk) })

			follow := func(b *testing.B, bk enginetest.Backend) {
				p := deadlines.New()
				var elapsed time.Duration
				for range b.N {
					if err := engine.New(bk.Store, bk.DB, engine.Options{}, p).Migrate(ctx); err != nil {
						b.Fatal(err)
					}
					for _, table := range p.Tables() {
						if _, err := bk.DB.SQL.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := bk.DB.SQL.ExecContext(ctx, `DELETE FROM projection_checkpoints WHERE name = $1`, p.Name()); err != nil {
						b.Fatal(err)
					}
					e := engine.New(bk.Store, bk.DB, engine.Options{Batch: 500}, p)
					if err := e.Migrate(ctx); err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					if err := e.CatchUp(ctx); err != nil {
						b.Fatal(err)
					}
					elapsed += time.Since(start)
				}
				b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
			}
			b.Run("follow", func(b *testing.B) { follow(b, bk) })
			b.Run("interleaved", func(b *testing.B) {
				var mixed enginetest.Backend
				if kind == "sqlite" {
					mixed = enginetest.SQLite(b)
				} else {
					mixed = enginetest.Postgres(b)
				}
				if err := interleave(ctx, bk.Store, mixed.Store); err != nil {
					b.Fatal(err)
				}
				b.Run("follow", func(b *testing.B) { follow(b, mixed) })
				b.Run("rebuild", func(b *testing.B) { rebuild(b, mixed) })
			})

			b.Run("tick", func(b *testing.B) {
				e := engine.New(bk.Store, bk.DB, engine.Options{}, deadlines.New())
				if err := e.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				var elapsed time.Duration
				for range b.N {
					if err := e.Rebuild(ctx, nil); err != nil {
						b.Fatal(err)
					}
					start := time.Now()
					if err := e.Tick(ctx, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
						b.Fatal(err)
					}
					elapsed += time.Since(start)
				}
				b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/tick")
			})
		})
	}
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
