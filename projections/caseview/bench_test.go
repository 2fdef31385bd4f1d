package caseview_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// BenchmarkApply applies a synthetic county's log (commands/synth, a fixed
// seed, CARELEDGER_BENCH_CHILDREN children, default 2000, about 18 events
// each) to an empty case view in transactions of 2000 events, as a
// rebuild does, and reports log events per second of Apply alone (the
// log is read and decoded before the clock starts). BenchmarkRebuild
// times the engine's whole rebuild of the view, reading included.
//
//	CARELEDGER_TEST_POSTGRES=postgres://… go test -run '^$' -bench . -benchtime 3x ./projections/caseview/
func BenchmarkApply(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			bk, n := benchCounty(b, kind)
			stored, err := bk.Store.ReadLog(ctx, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			events, err := eventlog.New().Decode(stored)
			if err != nil {
				b.Fatal(err)
			}
			p := caseview.Projection{}
			var elapsed time.Duration
			b.ResetTimer()
			for range b.N {
				for _, table := range p.Tables() {
					if _, err := bk.DB.SQL.ExecContext(ctx, `DELETE FROM `+table); err != nil {
						b.Fatal(err)
					}
				}
				start := time.Now()
				for from := 0; from < len(events); from += 2000 {
					tx, err := bk.DB.SQL.BeginTx(ctx, nil)
					if err != nil {
						b.Fatal(err)
					}
					if err := p.Apply(ctx, tx, bk.DB.Dialect, events[from:min(from+2000, len(events))]); err != nil {
						b.Fatal(err)
					}
					if err := tx.Commit(); err != nil {
						b.Fatal(err)
					}
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
		})
	}
}

func BenchmarkRebuild(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			bk, n := benchCounty(b, kind)
			e := engine.New(bk.Store, bk.DB, engine.Options{Batch: 2000}, caseview.Projection{})
			var elapsed time.Duration
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if err := e.Rebuild(ctx, nil); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "events/s")
		})
	}
}

// benchCounty is a backend holding the synthetic county, with the view's
// tables made, and the number of events in its log.
func benchCounty(b *testing.B, kind string) (enginetest.Backend, int64) {
	ctx := context.Background()
	children := 2000
	if v, err := strconv.Atoi(os.Getenv("CARELEDGER_BENCH_CHILDREN")); err == nil && v > 0 {
		children = v
	}
	var bk enginetest.Backend
	if kind == "sqlite" {
		bk = enginetest.SQLite(b)
	} else {
		bk = enginetest.Postgres(b)
	}
	n, err := synth.Make(ctx, bk.Store, synth.County{Seed: 2026, Children: children}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := engine.New(bk.Store, bk.DB, engine.Options{}, caseview.Projection{}).Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return bk, n
}
