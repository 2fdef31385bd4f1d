package eventstore_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
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

var benchData = json.RawMessage(`{"child_id":"child-0190b7c2","source":"hotline_12355","concerns":["living_alone","neglect"],` +
	`"risk":"high","received_at":"2026-03-14T09:30:00+08:00","summary":"村儿童主任走访发现儿童独自在家，父母外出务工，已电话联系监护人。"}`)

func benchEvent(w, i int) eventstore.NewEvent {
	return eventstore.NewEvent{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          "case.report_received",
		SchemaVersion: 1,
		Data:          benchData,
		Metadata: eventstore.Metadata{
			Actor:         eventstore.Actor{Subject: fmt.Sprintf("worker-%d", w), Role: "caseworker", Jurisdiction: "370902"},
			CommandID:     fmt.Sprintf("cmd-%d-%d", w, i),
			CorrelationID: fmt.Sprintf("cmd-%d-%d", w, i),
		},
		OccurredAt: time.Now(),
	}
}

// rawRow is the row the baseline inserts: the same columns and sizes as a
// stored event, without positions decided by a writer or a hash computed
// from the previous row.
func rawRow(position int64, w, i int) []any {
	e := benchEvent(w, i)
	meta, _ := json.Marshal(e.Metadata)
	sum := sha256.Sum256([]byte(fmt.Sprint(position)))
	now := time.Now().UTC()
	return []any{position, e.ID.String(), fmt.Sprintf("case-%d-%d", w, i), "case", int64(1), e.Type, 1,
		string(e.Data), string(meta), e.OccurredAt.UTC(), now, sum[:], sum[:]}
}

func newSQLiteHarness(b *testing.B) benchHarness {
	ctx := context.Background()
	dir := b.TempDir()
	if d := os.Getenv("BENCH_DIR"); d != "" {
		dir, _ = os.MkdirTemp(d, "b")
	}
	path := filepath.Join(dir, "bench.db")
	store, err := sqlite.Open(ctx, path, eventstore.Options{SealKey: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	// Each baseline writer has its own connection, as separate request
	// handlers would; the WAL, synchronous=FULL and busy timeout match the store.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(30000)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(16)
	b.Cleanup(func() { raw.Close() })
	if _, err := raw.ExecContext(ctx, `CREATE TABLE raw_events (
		global_position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
		stream_type TEXT NOT NULL, stream_version INTEGER NOT NULL, event_type TEXT NOT NULL,
		schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, occurred_at INTEGER NOT NULL,
		recorded_at INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
		UNIQUE (stream_id, stream_version)) STRICT`); err != nil {
		b.Fatal(err)
	}
	var position atomic.Int64
	return benchHarness{store: store, rawInsert: func(ctx context.Context, w, i int) error {
		row := rawRow(position.Add(1), w, i)
		row[9], row[10] = row[9].(time.Time).UnixMicro(), row[10].(time.Time).UnixMicro()
		_, err := raw.ExecContext(ctx, `INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row...)
		return err
	}}
}

func newPostgresHarness(b *testing.B) benchHarness {
	ctx := context.Background()
	url := pgtest.NewDatabase(b)
	store, err := postgres.Open(ctx, url, eventstore.Options{SealKey: []byte("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 16 // one connection per baseline writer
	raw, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(raw.Close)
	if _, err := raw.Exec(ctx, `CREATE TABLE raw_events (LIKE events INCLUDING ALL)`); err != nil {
		b.Fatal(err)
	}
	var position atomic.Int64
	return benchHarness{store: store, rawInsert: func(ctx context.Context, w, i int) error {
		_, err := raw.Exec(ctx, `INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			rawRow(position.Add(1), w, i)...)
		return err
	}}
}
