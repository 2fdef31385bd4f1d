package projections_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/privacy"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections"
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
			var store eventstore.Store
			var bk backend
			switch kind {
			case "sqlite":
				path := filepath.Join(b.TempDir(), "careledger.db")
				s, err := sqlite.Open(ctx, path, eventstore.Options{SealKey: []byte("k")})
				if err != nil {
					b.Fatal(err)
				}
				db, err := projections.OpenSQLite(path)
				if err != nil {
					b.Fatal(err)
				}
				store, bk = s, backend{store: s, db: db, dialect: projections.SQLite}
			default:
				url := pgtest.NewDatabase(b)
				s, err := postgres.Open(ctx, url, eventstore.Options{SealKey: []byte("k")})
				if err != nil {
					b.Fatal(err)
				}
				store, bk = s, backend{store: s, db: projections.OpenPostgres(s.Pool()), dialect: projections.Postgres}
			}
			b.Cleanup(func() { bk.db.Close(); store.Close() })
			if sealed {
				keys, err := privacy.OpenKeys(ctx, bk.db, bk.dialect == projections.SQLite, []byte("bench master key of 32 bytes!!!!"))
				if err != nil {
					b.Fatal(err)
				}
				store = privacy.Wrap(store, keys)
			}
			start := time.Now()
			n, err := synth.Make(ctx, store, synth.County{Seed: 2026, Children: children}, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d events generated in %s", kind, n, time.Since(start).Round(time.Millisecond))
			e := projections.New(store, bk.db, bk.dialect, projections.Options{Batch: 2000}, projections.All(store)...)
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
