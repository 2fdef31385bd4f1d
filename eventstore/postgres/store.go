// Package postgres is the server event store: the log in a PostgreSQL
// database, reached through a pgx connection pool.
//
// # Gap-free positions
//
// Readers follow the log by global position, so the log must never show
// position N+1 while N is still invisible: a reader that has moved past N
// would miss it for good. A sequence cannot promise that (its values are
// handed out at nextval and become visible at commit, in whatever order the
// transactions commit), so the store does not use one.
//
// Instead every write transaction, in READ COMMITTED, first takes the
// transaction-level advisory lock writeLockKey (pg_advisory_xact_lock), and
// only then reads the head of the log (last position, hash and recorded_at).
// In READ COMMITTED each statement takes a fresh snapshot, so the head read
// after the lock sees everything committed by the previous holder: a writer
// that commits releases its lock only after its commit is visible. Hence
// exactly one writer at a time, in every process using the database
// (advisory locks are per database), assigns positions, each continues from
// the last committed one, and transactions commit in position order; a
// reader whose snapshot shows N+1 also shows N. Within a process the shared
// writer group-commits appends, so the lock is taken once per batch.
//
// The write transaction is pipelined. When the writer knows the head and
// the streams' versions (it wrote the head itself; the streams are new or
// ones it wrote), a group commit is one round trip whatever its size: BEGIN,
// the lock, the insert of all rows (one INSERT … SELECT FROM unnest), the
// seal upsert and COMMIT. The unique indexes on global_position and
// (stream_id, stream_version) check that knowledge: if another process
// wrote in between, a row collides, the transaction aborts, and the batch
// is planned again from what is read under the lock — two round trips:
// BEGIN, the lock, the head and the stream states; then the rest. Only when the insert hits an event
// id already stored (a retried append) does the writer plan the batch again
// in a new transaction that also looks the ids up.
//
// Migrations run when a store opens, serialized across processes by another
// advisory lock (migrateLockKey); a database whose schema is newer than the
// build is refused.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

// Advisory lock keys, in the single 64-bit key space of pg_advisory_*_lock.
const (
	// writeLockKey serializes the writers of the log ("cl:write" in ASCII).
	writeLockKey int64 = 0x636c3a7772697465
	// migrateLockKey serializes migrations ("cl:migra" in ASCII).
	migrateLockKey int64 = 0x636c3a6d69677261
)

// Store is the PostgreSQL event store.
type Store struct {
	pool     *pgxpool.Pool
	ownsPool bool
	writer   *writer.Writer
	opts     eventstore.Options

	closeOnce sync.Once
}

var (
	_ eventstore.CompanionStore = (*Store)(nil)
	_ writer.Backend            = (*Store)(nil)
)

// Open connects to the database at url (a PostgreSQL URL or key=value
// connection string, as pgxpool.ParseConfig takes it), applies the store's
// migrations and starts its writer. Close closes the pool.
func Open(ctx context.Context, url string, opts eventstore.Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	s, err := open(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.ownsPool = true
	return s, nil
}

// OpenPool opens the store on an existing pool, applying its migrations. The
// pool stays the caller's: Close does not close it.
func OpenPool(ctx context.Context, pool *pgxpool.Pool, opts eventstore.Options) (*Store, error) {
	if pool == nil {
		return nil, errors.New("open postgres store: nil pool")
	}
	return open(ctx, pool, opts)
}

func open(ctx context.Context, pool *pgxpool.Pool, opts eventstore.Options) (*Store, error) {
	s := &Store{pool: pool, opts: opts}
	if err := s.migrate(ctx); err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	s.writer = writer.New(s, opts)
	return s, nil
}

// Pool is the connection pool, for read models that live beside the log.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	return s.writer.Append(ctx, stream, expected, events)
}

// AppendWith implements eventstore.CompanionStore: the companion rows go
// into the store's own database, in the transaction of the events.
func (s *Store) AppendWith(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	return s.writer.AppendWith(ctx, stream, expected, companions, events)
}

// Stats implements eventstore.Store.
func (s *Store) Stats() eventstore.Stats { return s.writer.Stats() }

// Close implements eventstore.Store: it stops the writer, waiting for queued
// appends, and closes the pool if Open made it. It may be called more than
// once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.writer.Close()
		if s.ownsPool {
			s.pool.Close()
		}
	})
	return nil
}
