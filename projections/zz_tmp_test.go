package projections_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections"
)

// TestZZTmpRebuild is a temporary timing harness (to be removed).
func TestZZTmpRebuild(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	ctx := context.Background()
	var store eventstore.Store
	var bk backend
	if os.Getenv("ZZ") == "sqlite" {
		path := "/tmp/rb/log.db"
		_, statErr := os.Stat(path)
		s, err := sqlite.Open(ctx, path, eventstore.Options{SealKey: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		db, err := projections.OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		store, bk = s, backend{store: s, db: db, dialect: projections.SQLite}
		if statErr != nil {
			if _, err := synth.Make(ctx, store, synth.County{Seed: 2026, Children: 8000}, nil); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		s, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:5432/rbbench_zz?sslmode=disable", eventstore.Options{SealKey: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		store, bk = s, backend{store: s, db: projections.OpenPostgres(s.Pool()), dialect: projections.Postgres}
		head, _ := s.Head(ctx)
		if head.Position == 0 {
			if _, err := synth.Make(ctx, store, synth.County{Seed: 2026, Children: 8000}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer store.Close()
	head, _ := store.Head(ctx)
	e := projections.New(store, bk.db, bk.dialect, projections.Options{Batch: 2000}, projections.All(store)...)
	if err := e.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	names := []string{""}
	if os.Getenv("ZZEACH") != "" {
		names = []string{"cases", "children", "timeline", "deadlines", "analytics"}
	}
	if v := os.Getenv("ZZONLY"); v != "" {
		names = []string{v}
	}
	for _, n := range names {
		var sel []string
		if n != "" {
			sel = []string{n}
		}
		start := time.Now()
		cpu0 := cpuTime()
		if err := e.Rebuild(ctx, nil, sel...); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		cpu := cpuTime() - cpu0
		t.Logf("%s %q: %d events in %s (cpu %s): %.0f ev/s, %.0f ev/cpu-s", bk.dialect, n, head.Position, el.Round(time.Millisecond), cpu.Round(time.Millisecond), float64(head.Position)/el.Seconds(), float64(head.Position)/cpu.Seconds())
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
