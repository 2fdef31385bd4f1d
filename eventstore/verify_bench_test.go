package eventstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
)

// BenchmarkReportVerification measures what verifying the log costs a
// report, on each backend, over a log of 100 000 events (BENCH_EVENTS
// changes it): a walk of the whole log (what every report, trace and GET
// /v1/integrity did before the Verifier), against the Verifier's check
// from the head it verified, with ten events appended between reports. It
// reports the milliseconds of each and their ratio:
//
//	go test -run '^$' -bench ReportVerification -benchtime 10x ./eventstore/
//
// PostgreSQL runs when CARELEDGER_TEST_POSTGRES is set.
func BenchmarkReportVerification(b *testing.B) {
	events := 100_000
	if n, err := strconv.Atoi(os.Getenv("BENCH_EVENTS")); err == nil && n > 0 {
		events = n
	}
	const appendedBetween = 10
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(fmt.Sprintf("%s/events=%d", backend, events), func(b *testing.B) {
			ctx := context.Background()
			store := openBenchStore(b, backend)
			fillBench(b, store, events)
			v := eventstore.NewVerifier(store, eventstore.VerifierOptions{FullWalkEvery: 24 * time.Hour})
			if c, err := v.Verify(ctx); err != nil || !c.OK || !c.Full {
				b.Fatalf("the first check: %+v, %v", c, err)
			}

			b.ResetTimer()
			var fullTime, incrementalTime time.Duration
			var walked int64
			for i := range b.N {
				start := time.Now()
				full, err := store.Verify(ctx)
				fullTime += time.Since(start)
				if err != nil || !full.OK {
					b.Fatalf("full walk: %+v, %v", full, err)
				}

				b.StopTimer()
				for j := range appendedBetween {
					if _, err := store.Append(ctx, eventstore.StreamRef{ID: fmt.Sprintf("case-more-%d-%d", i, j), Type: "case"},
						eventstore.NoStream, benchEvent(i, j)); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()

				start = time.Now()
				c, err := v.Verify(ctx)
				incrementalTime += time.Since(start)
				if err != nil || !c.OK || c.Full {
					b.Fatalf("incremental check: %+v, %v", c, err)
				}
				walked += c.Walked
			}
			b.StopTimer()
			fullMs := fullTime.Seconds() * 1000 / float64(b.N)
			incrementalMs := incrementalTime.Seconds() * 1000 / float64(b.N)
			b.ReportMetric(fullMs, "full_ms/report")
			b.ReportMetric(incrementalMs, "incremental_ms/report")
			b.ReportMetric(fullMs/incrementalMs, "ratio")
			b.ReportMetric(float64(walked)/float64(b.N), "events_walked/report")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func openBenchStore(b *testing.B, backend string) eventstore.Store {
	ctx := context.Background()
	var store eventstore.Store
	var err error
	switch backend {
	case "sqlite":
		dir := b.TempDir()
		if d := os.Getenv("BENCH_DIR"); d != "" {
			dir, _ = os.MkdirTemp(d, "b")
		}
		store, err = sqlite.Open(ctx, filepath.Join(dir, "bench.db"), eventstore.Options{SealKey: []byte("bench")})
	default:
		store, err = postgres.Open(ctx, pgtest.NewDatabase(b), eventstore.Options{SealKey: []byte("bench")})
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return store
}

// fillBench appends n events, 500 to a stream, one stream per append.
func fillBench(b *testing.B, store eventstore.Store, n int) {
	const perAppend = 500
	ctx := context.Background()
	for s := 0; s*perAppend < n; s++ {
		batch := make([]eventstore.NewEvent, 0, perAppend)
		for i := s * perAppend; i < min(n, (s+1)*perAppend); i++ {
			batch = append(batch, benchEvent(s, i))
		}
		if _, err := store.Append(ctx, eventstore.StreamRef{ID: fmt.Sprintf("case-fill-%d", s), Type: "case"}, eventstore.NoStream, batch...); err != nil {
			b.Fatal(err)
		}
	}
}
