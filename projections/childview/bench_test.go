package childview_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/projections/childview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
)

// BenchmarkApply measures the projection's Apply over a synthetic county
// (commands/synth, CARELEDGER_BENCH_CHILDREN children, default 2000), in
// the rebuild's batches of 20 000 events, one transaction each, on SQLite
// and on PostgreSQL; it reports log events per second.
func BenchmarkApply(b *testing.B) { benchApply(b, childview.Projection{}) }

func benchApply(b *testing.B, p engine.Projection) {
	children := 2000
	if v, err := strconv.Atoi(os.Getenv("CARELEDGER_BENCH_CHILDREN")); err == nil && v > 0 {
		children = v
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			ctx := context.Background()
			bk := enginetest.SQLite(b)
			if kind == "postgres" {
				bk = enginetest.Postgres(b)
			}
			if _, err := synth.Make(ctx, bk.Store, synth.County{Seed: 2026, Children: children}, nil); err != nil {
				b.Fatal(err)
			}
			stored, err := bk.Store.ReadLog(ctx, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			events, err := eventlog.New().Decode(stored)
			if err != nil {
				b.Fatal(err)
			}
			for _, stmt := range p.Schema() {
				if _, err := bk.DB.SQL.ExecContext(ctx, bk.DB.Dialect.DDL(stmt)); err != nil {
					b.Fatal(err)
				}
			}
			var elapsed, cpu time.Duration
			b.ResetTimer()
			for range b.N {
				for _, table := range p.Tables() {
					if _, err := bk.DB.SQL.ExecContext(ctx, `DELETE FROM `+table); err != nil {
						b.Fatal(err)
					}
				}
				start, cpuStart := time.Now(), cpuTime()
				for from := 0; from < len(events); from += 20000 {
					applyBatch(b, bk, p, events[from:min(from+20000, len(events))])
				}
				elapsed += time.Since(start)
				cpu += cpuTime() - cpuStart
			}
			b.ReportMetric(float64(len(events))*float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(len(events))*float64(b.N)/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(float64(len(events)), "events")
		})
	}
}

func applyBatch(b *testing.B, bk enginetest.Backend, p engine.Projection, events []domain.Recorded) {
	ctx := context.Background()
	tx, err := bk.DB.SQL.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	if err := p.Apply(ctx, tx, bk.DB.Dialect, events); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time this process has used (user and system): all of
// SQLite's work, none of the PostgreSQL server's.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
