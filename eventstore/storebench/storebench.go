// Package storebench is the baseline the event store's write throughput is
// measured against: the raw single-insert rate of the same disk. A
// baseline writes rows of the events table's shape and size (the same
// columns, types, primary key and unique constraints, a report's data and
// metadata) into a table of its own, one plain autocommit INSERT per
// transaction, with the durability the store uses (SQLite WAL with
// synchronous=FULL; PostgreSQL as configured, fsync on). Nothing decides
// positions or computes hashes: it is what the disk and the database give
// a naive writer, which group commit is meant to beat.
//
// Both the store's Go benchmark (eventstore/bench_test.go) and the end-to-end
// harness (careledger bench) measure against it, so their ratios mean the
// same thing.
package storebench

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite" // the SQLite driver the store uses
)

// Baseline inserts raw rows into its own table.
type Baseline struct {
	insert   func(ctx context.Context, row []any) error
	position atomic.Int64
	close    func()
}

// SQLite opens (creating) a baseline database file at path, with up to
// conns connections (one per concurrent writer, as request handlers would
// have).
func SQLite(ctx context.Context, path string, conns int) (*Baseline, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(30000)")
	if err != nil {
		return nil, fmt.Errorf("storebench: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS raw_events (
		global_position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
		stream_type TEXT NOT NULL, stream_version INTEGER NOT NULL, event_type TEXT NOT NULL,
		schema_version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, occurred_at INTEGER NOT NULL,
		recorded_at INTEGER NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL,
		UNIQUE (stream_id, stream_version)) STRICT`); err != nil {
		db.Close()
		return nil, fmt.Errorf("storebench: create table: %w", err)
	}
	var next int64
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(global_position), 0) FROM raw_events`).Scan(&next); err != nil {
		db.Close()
		return nil, fmt.Errorf("storebench: read head: %w", err)
	}
	b := &Baseline{close: func() { db.Close() }}
	b.position.Store(next)
	b.insert = func(ctx context.Context, row []any) error {
		row[9], row[10] = row[9].(time.Time).UnixMicro(), row[10].(time.Time).UnixMicro()
		_, err := db.ExecContext(ctx, `INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row...)
		return err
	}
	return b, nil
}

// Postgres makes (if missing) the baseline table in the database url names,
// with up to conns connections.
func Postgres(ctx context.Context, url string, conns int) (*Baseline, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storebench: %w", err)
	}
	cfg.MaxConns = int32(max(conns, 1))
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storebench: connect: %w", err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS raw_events (
		global_position bigint PRIMARY KEY, event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL,
		stream_type text NOT NULL, stream_version bigint NOT NULL, event_type text NOT NULL,
		schema_version integer NOT NULL, data text NOT NULL, metadata text NOT NULL,
		occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL, prev_hash bytea NOT NULL,
		hash bytea NOT NULL, UNIQUE (stream_id, stream_version))`); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storebench: create table: %w", err)
	}
	var next int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(global_position), 0) FROM raw_events`).Scan(&next); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storebench: read head: %w", err)
	}
	b := &Baseline{close: pool.Close}
	b.position.Store(next)
	b.insert = func(ctx context.Context, row []any) error {
		_, err := pool.Exec(ctx, `INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, row...)
		return err
	}
	return b, nil
}

// Close closes the baseline's database handle.
func (b *Baseline) Close() { b.close() }

// Insert writes one row, in a transaction of its own; w and i (writer and
// sequence) make its stream id.
func (b *Baseline) Insert(ctx context.Context, w, i int) error {
	return b.insert(ctx, row(b.position.Add(1), w, i))
}

// Rate inserts with writers concurrent writers for d and answers rows per
// second.
func (b *Baseline) Rate(ctx context.Context, writers int, d time.Duration) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	var written atomic.Int64
	var failed atomic.Value
	began := time.Now()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				if err := b.Insert(ctx, w, i); err != nil {
					if ctx.Err() == nil {
						failed.Store(err)
					}
					return
				}
				written.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		return 0, fmt.Errorf("storebench: insert: %w", err)
	}
	return float64(written.Load()) / time.Since(began).Seconds(), nil
}

// Data is the data of the baseline's rows: a report, as the store keeps one.
var Data = json.RawMessage(`{"child_id":"child-0190b7c2","source":"hotline_12355","concerns":["living_alone","neglect"],` +
	`"risk":"high","received_at":"2026-03-14T09:30:00+08:00","summary":"村儿童主任走访发现儿童独自在家，父母外出务工，已电话联系监护人。"}`)

// row is a baseline row: the same columns and sizes as a stored event,
// without a position decided by a writer or a hash computed over the chain.
func row(position int64, w, i int) []any {
	meta, _ := json.Marshal(map[string]any{
		"actor":      map[string]string{"subject": fmt.Sprintf("worker-%d", w), "role": "caseworker", "jurisdiction": "370902"},
		"command_id": fmt.Sprintf("cmd-%d-%d", w, i), "correlation_id": fmt.Sprintf("cmd-%d-%d", w, i),
	})
	sum := sha256.Sum256([]byte(fmt.Sprint(position)))
	now := time.Now().UTC()
	return []any{position, uuid.Must(uuid.NewV7()).String(), fmt.Sprintf("case-%d-%d-%d", position, w, i), "case", int64(1),
		"case.report_received", 1, string(Data), string(meta), now, now, sum[:], sum[:]}
}
