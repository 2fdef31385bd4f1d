package eventstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/eventstore/storebench"
)

// BenchmarkAppendVsRawInsert measures, on each backend and in one run,
// single-event appends to distinct streams through the store, against the
// raw baseline: the same rows written by one plain INSERT per transaction
// (autocommit) into a table of the same shape, with the same number of
// concurrent writers; with 16 writers it also measures the raw side with
// one writer (the plain single-insert baseline). It reports the rates and
// their ratios. Run it with a fixed count so both sides write the same
// number of rows:
//
//	go test -run '^$' -bench AppendVsRawInsert -benchtime 4000x ./eventstore/
//
// PostgreSQL runs when CARELEDGER_TEST_POSTGRES is set.
func BenchmarkAppendVsRawInsert(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", backend, writers), func(b *testing.B) {
				var h benchHarness
				switch backend {
				case "sqlite":
					h = newSQLiteHarness(b)
				default:
					h = newPostgresHarness(b)
				}
				appendOne := func(ctx context.Context, w, i int) error {
					_, err := h.store.Append(ctx, eventstore.StreamRef{ID: fmt.Sprintf("case-%d-%d", w, i), Type: "case"},
						eventstore.NoStream, benchEvent(w, i))
					return err
				}
				// Alternate the two sides in rounds so that drift in the
				// disk's fsync time affects both alike.
				// With several writers the raw side is also measured with
				// one: the single-insert baseline the issue names, which
				// group commit is to beat.
				const rounds = 4
				var rawTime, raw1Time, storeTime time.Duration
				for r := range rounds {
					from, to := b.N*r/rounds, b.N*(r+1)/rounds
					rawTime += measure(b, writers, from, to, h.rawInsert)
					if writers > 1 {
						raw1Time += measure(b, 1, b.N+from, b.N+to, h.rawInsert)
					}
					storeTime += measure(b, writers, from, to, appendOne)
				}
				raw, store := float64(b.N)/rawTime.Seconds(), float64(b.N)/storeTime.Seconds()
				stats := h.store.Stats()
				b.ReportMetric(raw, "raw_inserts/s")
				b.ReportMetric(store, "appends/s")
				b.ReportMetric(store/raw, "ratio")
				if writers > 1 {
					raw1 := float64(b.N) / raw1Time.Seconds()
					b.ReportMetric(raw1, "raw_1writer_inserts/s")
					b.ReportMetric(store/raw1, "ratio_vs_1writer")
				}
				b.ReportMetric(float64(stats.Events)/float64(max(stats.Batches, 1)), "events/commit")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

type benchHarness struct {
	store     eventstore.Store
	rawInsert func(ctx context.Context, w, i int) error
}

// measure runs operations from..to-1 split over writers goroutines and
// returns the time taken.
func measure(b *testing.B, writers, from, to int, op func(ctx context.Context, w, i int) error) time.Duration {
	ctx := context.Background()
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := from + w; i < to; i += writers {
				if err := op(ctx, w, i); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	return elapsed
}

func benchEvent(w, i int) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          "case.report_received",
		SchemaVersion: 1,
		Data:          storebench.Data,
		Metadata: eventstore.Metadata{
			Actor:         eventstore.Actor{Subject: fmt.Sprintf("worker-%d", w), Role: "caseworker", Jurisdiction: "370902"},
			CommandID:     fmt.Sprintf("cmd-%d-%d", w, i),
			CorrelationID: fmt.Sprintf("cmd-%d-%d", w, i),
		},
		OccurredAt: time.Now(),
	}
}

func newSQLiteHarness(b *testing.B) benchHarness {
	ctx := context.Background()
	dir := b.TempDir()
	if d := os.Getenv("BENCH_DIR"); d != "" {
		dir, _ = os.MkdirTemp(d, "b")
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"), eventstore.Options{SealKey: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	// Each baseline writer has its own connection, as separate request
	// handlers would; the file lies beside the store's, on the same disk.
	raw, err := storebench.SQLite(ctx, filepath.Join(dir, "raw.db"), 16)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(raw.Close)
	return benchHarness{store: store, rawInsert: raw.Insert}
}

func newPostgresHarness(b *testing.B) benchHarness {
	ctx := context.Background()
	url := pgtest.NewDatabase(b)
	store, err := postgres.Open(ctx, url, eventstore.Options{SealKey: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	raw, err := storebench.Postgres(ctx, url, 16) // one connection per baseline writer
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(raw.Close)
	return benchHarness{store: store, rawInsert: raw.Insert}
}
