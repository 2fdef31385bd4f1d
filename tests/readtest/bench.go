// Package readtest is what tests and benchmarks of the read models share
// that drives the write side too: a seeded county written while an engine
// runs the projections, and the benchmark harness over a synthetic county
// (commands/synth). It lives beside the component tests, not under
// projections/, because the read side itself never depends on the write
// side (tests/architecture_test.go).
package readtest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// The benchmarks of the read models measure them over one synthetic county
// (commands/synth, seed 2026), of BenchChildren children, on SQLite and on
// PostgreSQL (skipped without CARELEDGER_TEST_POSTGRES, as pgtest decides):
//
//	CARELEDGER_BENCH_CHILDREN=56000 CARELEDGER_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench Apply -benchtime 1x -timeout 60m ./projections/...

// applyBatch is how many events one transaction of BenchApply applies: what
// one transaction of the engine's rebuild applies by default
// (engine.Options.RebuildBatch).
const applyBatch = 20000

// BenchChildren is the size of the benchmarks' synthetic county:
// CARELEDGER_BENCH_CHILDREN children, or 2000 (about 18 events each).
func BenchChildren() int {
	if v, err := strconv.Atoi(os.Getenv("CARELEDGER_BENCH_CHILDREN")); err == nil && v > 0 {
		return v
	}
	return 2000
}

// OnEachBackend runs fn as a sub-benchmark named "sqlite", then as one
// named "postgres", giving it the function that makes a fresh backend of
// that kind.
func OnEachBackend(b *testing.B, fn func(b *testing.B, fresh func(testing.TB) enginetest.Backend)) {
	for _, kind := range []struct {
		name  string
		fresh func(testing.TB) enginetest.Backend
	}{{"sqlite", enginetest.SQLite}, {"postgres", enginetest.Postgres}} {
		b.Run(kind.name, func(b *testing.B) { fn(b, kind.fresh) })
	}
}

// SynthCounty writes the benchmarks' synthetic county to store, logs how
// long that took, and returns the number of events written.
func SynthCounty(b *testing.B, store eventstore.Store) int64 {
	start := time.Now()
	n, err := synth.Make(context.Background(), store, synth.County{Seed: 2026, Children: BenchChildren()}, nil)
	require.NoError(b, err)
	b.Logf("%s: %d events generated in %s", b.Name(), n, time.Since(start).Round(time.Millisecond))
	return n
}

// BenchApply measures p's Apply alone over the synthetic county's log, on
// each backend: the log is read and decoded before the clock starts; each
// round empties p's tables and applies the whole log to them in
// transactions of 20 000 events, as a rebuild does. It reports log events
// per second of wall time (events/s) and of this process's CPU time
// (events/cpu-s: all of SQLite's work, none of the PostgreSQL server's),
// and the size of the log (events).
func BenchApply(b *testing.B, p engine.Projection) {
	OnEachBackend(b, func(b *testing.B, fresh func(testing.TB) enginetest.Backend) {
		ctx := context.Background()
		bk := fresh(b)
		SynthCounty(b, bk.Store)
		stored, err := bk.Store.ReadLog(ctx, 0, 0)
		require.NoError(b, err)
		events, err := eventlog.New().Decode(stored)
		require.NoError(b, err)
		require.NoError(b, engine.New(bk.Store, bk.DB, engine.Options{}, p).Migrate(ctx))
		var elapsed, cpu time.Duration
		b.ResetTimer()
		for range b.N {
			for _, table := range p.Tables() {
				_, err := bk.DB.SQL.ExecContext(ctx, `DELETE FROM `+table)
				require.NoError(b, err)
			}
			start, cpuStart := time.Now(), cpuTime()
			for from := 0; from < len(events); from += applyBatch {
				applyInTx(b, bk.DB, p, events[from:min(from+applyBatch, len(events))])
			}
			elapsed += time.Since(start)
			cpu += cpuTime() - cpuStart
		}
		b.ReportMetric(float64(len(events))*float64(b.N)/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(len(events))*float64(b.N)/cpu.Seconds(), "events/cpu-s")
		b.ReportMetric(float64(len(events)), "events")
	})
}

// applyInTx applies events to p in one transaction.
func applyInTx(b *testing.B, db readdb.DB, p engine.Projection, events []domain.Recorded) {
	ctx := context.Background()
	tx, err := db.SQL.BeginTx(ctx, nil)
	require.NoError(b, err)
	defer tx.Rollback()
	require.NoError(b, p.Apply(ctx, tx, db.Dialect, events))
	require.NoError(b, tx.Commit())
}

// BenchRebuild measures the engine's whole rebuild of the projections
// (engine.Rebuild: reading and decoding the log included) over the
// synthetic county, on each backend, and reports log events per second
// (events/s), the size of the log (events), and the floor no rebuild can
// pass on that database and machine (floor-events/s: the log's events over
// the time the database alone takes to write the rebuilt rows once,
// TimeFloor). With
// CARELEDGER_BENCH_SEALED=1 the county is written and read through the
// store that seals personal data (eventstore/privacy), as serve and
// 'projections rebuild' do.
func BenchRebuild(b *testing.B, ps ...engine.Projection) {
	sealed := os.Getenv("CARELEDGER_BENCH_SEALED") == "1"
	OnEachBackend(b, func(b *testing.B, fresh func(testing.TB) enginetest.Backend) {
		ctx := context.Background()
		bk := fresh(b)
		store := bk.Store
		if sealed {
			keys, err := privacy.OpenKeys(ctx, bk.DB.SQL, bk.DB.Dialect == readdb.SQLite, []byte("bench master key of 32 bytes!!!!"))
			require.NoError(b, err)
			store = privacy.Wrap(store, keys, personal.Catalog())
		}
		n := SynthCounty(b, store)
		e := engine.New(store, bk.DB, engine.Options{Batch: 2000}, ps...)
		require.NoError(b, e.Migrate(ctx))
		b.ResetTimer()
		TimeRebuilds(b, e, n)
		b.ReportMetric(float64(n), "events")
		floor := TimeFloor(b, bk.DB, ps...)
		b.ReportMetric(float64(n)/floor.Seconds(), "floor-events/s")
		b.Logf("%s: the database alone wrote the rebuilt read models' rows once in %s (TimeFloor)", b.Name(), floor.Round(time.Millisecond))
	})
}

// TimeRebuilds runs e's Rebuild b.N times, timing the rebuilds alone, and
// reports the log's n events per second of rebuilding (events/s).
func TimeRebuilds(b *testing.B, e *engine.Engine, n int64) {
	var elapsed time.Duration
	for range b.N {
		start := time.Now()
		require.NoError(b, e.Rebuild(context.Background(), nil))
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
}
