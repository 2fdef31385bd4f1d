package projections_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventlog/personal"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// BenchmarkRebuild rebuilds every read model (projections.All) from a log
// made by synth from a fixed seed, on SQLite and on PostgreSQL, and reports
// log events per second. The size is CARELEDGER_BENCH_CHILDREN children
// (default 2000, about 18 events each); the figure is measured at
// about a million events:
//
//	CARELEDGER_BENCH_CHILDREN=56000 CARELEDGER_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test \
//	  go test -run '^$' -bench Rebuild -benchtime 1x -timeout 60m ./projections/
//
// With CARELEDGER_BENCH_SEALED=1 the county is written and read through the
// store that seals personal data (eventstore/privacy), as serve and
// 'projections rebuild' do.
func BenchmarkRebuild(b *testing.B) {
	sealed := os.Getenv("CARELEDGER_BENCH_SEALED") == "1"
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
			store := bk.Store
			if sealed {
				keys, err := privacy.OpenKeys(ctx, bk.DB.SQL, bk.DB.Dialect == readdb.SQLite, []byte("bench master key of 32 bytes!!!!"))
				if err != nil {
					b.Fatal(err)
				}
				store = privacy.Wrap(store, keys, personal.Catalog())
			}
			start := time.Now()
			n, err := synth.Make(ctx, store, synth.County{Seed: 2026, Children: children}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d events generated in %s", kind, n, time.Since(start).Round(time.Millisecond))
			e := engine.New(store, bk.DB, engine.Options{Batch: 2000}, projections.All()...)
			if err := e.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var elapsed time.Duration
			for range b.N {
				start := time.Now()
				if err := e.Rebuild(ctx, nil); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(n), "events")
		})
	}
}
