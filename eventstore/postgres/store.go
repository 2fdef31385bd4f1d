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
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/migrate"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

//go:embed migrations/*.sql
var migrations embed.FS

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
	_ eventstore.Store = (*Store)(nil)
	_ writer.Backend   = (*Store)(nil)
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

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.List(migrations, "migrations")
	if err != nil {
		return err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer rollback(tx)
	var encoding string
	if err := tx.QueryRow(ctx, `SHOW server_encoding`).Scan(&encoding); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if encoding != "UTF8" && encoding != "SQL_ASCII" {
		return fmt.Errorf("migrate: database encoding is %s: the event store needs UTF8 (or SQL_ASCII) to keep events byte for byte", encoding)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > migrate.Latest(ms) {
		return fmt.Errorf("migrate: database schema is at version %d, newer than this build knows (%d)", current, migrate.Latest(ms))
	}
	for _, m := range ms[current:] {
		// Without arguments pgx uses the simple protocol, which runs a
		// script of several statements.
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.Version, m.Name, eventstore.Timestamp(time.Now())); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	return s.writer.Append(ctx, stream, expected, events)
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

const columns = `global_position, event_id, stream_id, stream_type, stream_version, event_type,
	schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash`

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM events
		WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version LIMIT $3`,
		streamID, afterVersion, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	return events, nil
}

// ReadStreams implements eventstore.Store in one query: each id is one
// range scan of the unique index on (stream_id, stream_version). (As in
// Existing, a plain "stream_id = ANY($1)" risks a generic plan, made once
// the statement is cached, that scans the whole table.) The bound is
// written global_position + 0 so that it cannot use the primary key: on a
// table without fresh statistics the planner otherwise ANDs each stream's
// few rows with a bitmap of every position up to the bound, a scan of the
// whole index per stream.
func (s *Store) ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error) {
	out := make(map[string][]eventstore.Event)
	ids := uniqueIDs(streamIDs)
	if len(ids) == 0 {
		return out, nil
	}
	bound := upToPosition
	if bound <= 0 {
		bound = math.MaxInt64
	}
	rows, err := s.pool.Query(ctx, `SELECT e.* FROM unnest($1::text[]) AS s(stream_id)
		CROSS JOIN LATERAL (SELECT `+columns+` FROM events
			WHERE events.stream_id = s.stream_id AND events.global_position + 0 <= $2
			ORDER BY stream_version) AS e`, ids, bound)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(ids), err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read %d streams: %w", len(ids), err)
	}
	for _, e := range events {
		out[e.StreamID] = append(out[e.StreamID], e)
	}
	// The rows come stream by stream in version order (a nested loop over
	// the ids); nothing in SQL promises it, so it is checked.
	for _, stream := range out {
		if !slices.IsSortedFunc(stream, byVersion) {
			slices.SortFunc(stream, byVersion)
		}
	}
	return out, nil
}

func byVersion(a, b eventstore.Event) int { return cmp.Compare(a.StreamVersion, b.StreamVersion) }

// uniqueIDs is ids without repeats, in first-seen order.
func uniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ReadLog implements eventstore.Store.
func (s *Store) ReadLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+columns+` FROM events
		WHERE global_position > $1 ORDER BY global_position LIMIT $2`, afterPosition, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", afterPosition, err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", afterPosition, err)
	}
	return events, nil
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Anchor, error) {
	h, err := scanHead(s.pool.QueryRow(ctx, headQuery))
	if err != nil {
		return eventstore.Anchor{}, fmt.Errorf("read head: %w", err)
	}
	return eventstore.Anchor{Position: h.Position, Hash: h.Hash}, nil
}

// Verify implements eventstore.Store.
func (s *Store) Verify(ctx context.Context, anchors ...eventstore.Anchor) (eventstore.Verification, error) {
	return eventstore.VerifyChain(ctx, s.ReadLog, s.readSeal, s.opts.SealKey, anchors...)
}

const sealQuery = `SELECT position, hash, sealed_at, mac FROM chain_seal WHERE id = 1`

func (s *Store) readSeal(ctx context.Context) (eventstore.Seal, bool, error) {
	return scanSeal(s.pool.QueryRow(ctx, sealQuery))
}

func scanSeal(row pgx.Row) (eventstore.Seal, bool, error) {
	var seal eventstore.Seal
	var hash []byte
	err := row.Scan(&seal.Position, &hash, &seal.SealedAt, &seal.MAC)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.Seal{}, false, nil
	}
	if err != nil {
		return eventstore.Seal{}, false, err
	}
	copy(seal.Hash[:], hash)
	seal.SealedAt = seal.SealedAt.UTC()
	return seal, true, nil
}

const headQuery = `SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1`

func scanHead(row pgx.Row) (writer.Head, error) {
	var h writer.Head
	var hash []byte
	err := row.Scan(&h.Position, &hash, &h.RecordedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return writer.Head{}, nil
	}
	if err != nil {
		return writer.Head{}, err
	}
	if h.Hash, err = eventstore.HashFromBytes(hash); err != nil {
		return writer.Head{}, err
	}
	h.RecordedAt = h.RecordedAt.UTC()
	return h, nil
}

// WriteTx implements writer.Backend. On a connection of its own it sends,
// in one round trip, BEGIN (READ COMMITTED), the write lock, the head and
// the stream states (State); fn plans the batch; then the rows, the seal and
// COMMIT go in a second round trip. With a BeforeCommit hook the rows are
// sent before the hook runs, and COMMIT after it.
func (s *Store) WriteTx(ctx context.Context, fn func(writer.Tx) error) error {
	// The writer's context is never cancelled: bound the transaction,
	// including the wait for another process's lock, here.
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	// Release destroys a connection that is still inside a transaction.
	defer conn.Release()
	t := &writeTx{conn: conn.Conn(), sendRowsAtOnce: s.opts.BeforeCommit != nil}
	if err := fn(t); err != nil {
		t.rollback()
		return err
	}
	if err := t.commit(ctx); err != nil {
		t.rollback()
		return err
	}
	return nil
}

// writeTimeout bounds one write transaction.
const writeTimeout = 30 * time.Second

// rollbackTimeout bounds the rollback of a failed transaction, which runs
// even when the context of the transaction has ended.
const rollbackTimeout = 5 * time.Second

func rollback(tx pgx.Tx) {
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	_ = tx.Rollback(ctx)
}

type writeTx struct {
	conn *pgx.Conn
	// pending holds statements not yet sent; flush sends them in one round
	// trip.
	pending        *pgx.Batch
	begun          bool
	inserted       int64
	want           int
	sendRowsAtOnce bool
	// implicit: the transaction is the pipeline's implicit one (no BEGIN).
	implicit bool
	// upsertSeal is set when the transaction read the state: the seal row
	// may not exist yet. Speculating, the writer has seen it, and a plain
	// UPDATE (cheaper) leaves a deleted seal missing for Verify to report.
	upsertSeal bool
}

func (t *writeTx) queue(query string, args ...any) *pgx.QueuedQuery {
	if t.pending == nil {
		t.pending = &pgx.Batch{}
	}
	return t.pending.Queue(query, args...)
}

// begin queues BEGIN and the write lock. In READ COMMITTED each statement
// takes its snapshot when it starts, so what is read after the lock
// includes everything the previous holder committed.
func (t *writeTx) begin() {
	t.queue(`BEGIN ISOLATION LEVEL READ COMMITTED`)
	t.begun = true
	t.queue(`SELECT pg_advisory_xact_lock($1)`, writeLockKey)
}

func (t *writeTx) flush(ctx context.Context, op string) error {
	if t.pending == nil {
		return nil
	}
	b := t.pending
	t.pending = nil
	if err := t.conn.SendBatch(ctx, b).Close(); err != nil {
		return translate(op, err)
	}
	return nil
}

// State begins the transaction, takes the write lock, and reads the head
// and the streams' last versions, in one round trip. Each stream costs one
// backward probe of the unique index on (stream_id, stream_version).
func (t *writeTx) State(ctx context.Context, ids []string) (writer.LogState, error) {
	t.begin()
	t.upsertSeal = true
	var st writer.LogState
	t.queue(headQuery).QueryRow(func(row pgx.Row) error {
		var err error
		st.Head, err = scanHead(row)
		return err
	})
	t.queue(sealQuery).QueryRow(func(row pgx.Row) error {
		var err error
		st.Seal, st.Sealed, err = scanSeal(row)
		return err
	})
	streams := make(map[string]writer.StreamState, len(ids))
	t.queue(`SELECT s.stream_id, e.stream_version, e.stream_type
		FROM unnest($1::text[]) AS s(stream_id)
		CROSS JOIN LATERAL (SELECT stream_version, stream_type FROM events
			WHERE events.stream_id = s.stream_id ORDER BY stream_version DESC LIMIT 1) AS e`, ids,
	).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id string
			var st writer.StreamState
			if err := rows.Scan(&id, &st.Version, &st.Type); err != nil {
				return fmt.Errorf("scan stream: %w", err)
			}
			streams[id] = st
		}
		return rows.Err()
	})
	if err := t.flush(ctx, "begin, lock the log, read head and streams"); err != nil {
		return writer.LogState{}, err
	}
	st.Streams = streams
	return st, nil
}

// Expect begins the transaction and takes the write lock; both go with the
// rows and COMMIT, in one round trip. The unique indexes check what the
// writer expects: a moved head makes the first position taken, an existing
// stream assumed new makes its version 1 taken, and the unique violation
// sends the writer back to reading.
func (t *writeTx) Expect(ctx context.Context, head writer.Head, _ map[string]writer.StreamState) error {
	t.upsertSeal = head.Position == 0 // an empty log may have no seal row yet
	if t.sendRowsAtOnce {
		t.begin()
		return t.flush(ctx, "begin and lock the log")
	}
	// Everything goes in one pipeline ending in one Sync, which PostgreSQL
	// runs as one implicit transaction, committed at the Sync (rolled back
	// whole if any statement fails): no BEGIN or COMMIT to send.
	t.queue(`SELECT pg_advisory_xact_lock($1)`, writeLockKey)
	t.begun, t.implicit = true, true
	return nil
}

// commit sends what is still held, with COMMIT.
func (t *writeTx) commit(ctx context.Context) error {
	if !t.begun {
		return nil
	}
	if !t.implicit {
		t.queue(`COMMIT`)
	}
	err := t.flush(ctx, "commit")
	if t.implicit {
		t.begun = false // committed or rolled back at the Sync
	}
	if err != nil {
		return err
	}
	t.begun = false
	if t.inserted != int64(t.want) {
		return fmt.Errorf("commit: %d rows inserted, want %d", t.inserted, t.want)
	}
	return nil
}

// rollback ends a transaction that failed; a connection where even that
// fails is destroyed by Release.
func (t *writeTx) rollback() {
	if !t.begun {
		return
	}
	t.pending = nil
	ctx, cancel := context.WithTimeout(context.Background(), rollbackTimeout)
	defer cancel()
	_, _ = t.conn.Exec(ctx, `ROLLBACK`)
	t.begun = false
}

// Existing looks the ids up one index probe each. (A plain "event_id =
// ANY($1)" is planned generically once the statement is cached, and a plan
// made while the table was new and small is a sequential scan, which it then
// stays for the life of the connection.)
func (t *writeTx) Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error) {
	out := map[uuid.UUID]eventstore.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := t.conn.Query(ctx, `SELECT e.* FROM unnest($1::uuid[]) AS i(event_id)
		CROSS JOIN LATERAL (SELECT `+columns+` FROM events WHERE events.event_id = i.event_id LIMIT 1) AS e`, ids)
	if err != nil {
		return nil, fmt.Errorf("query event ids: %w", err)
	}
	events, err := scanEvents(rows)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		out[e.ID] = e
	}
	return out, nil
}

// valuesRows is the largest batch inserted with a VALUES list; larger
// batches go through unnest. (For a handful of rows VALUES is cheaper; each
// row count is its own cached statement.)
const valuesRows = 16

// Insert writes all rows in one statement and the seal; both are held to go
// with COMMIT, unless a BeforeCommit hook must run after them.
func (t *writeTx) Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error {
	n := len(events)
	t.want = n
	counted := func(ct pgconn.CommandTag) error {
		t.inserted = ct.RowsAffected()
		return nil
	}
	if n <= valuesRows {
		var q strings.Builder
		q.WriteString(`INSERT INTO events (` + columns + `) VALUES `)
		args := make([]any, 0, 13*n)
		for i := range events {
			e := &events[i]
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
				13*i+1, 13*i+2, 13*i+3, 13*i+4, 13*i+5, 13*i+6, 13*i+7, 13*i+8, 13*i+9, 13*i+10, 13*i+11, 13*i+12, 13*i+13)
			args = append(args, e.GlobalPosition, e.ID, e.StreamID, e.StreamType, e.StreamVersion, e.Type,
				int32(e.SchemaVersion), e.Data, e.Metadata, e.OccurredAt, e.RecordedAt, e.PrevHash[:], e.Hash[:])
		}
		t.queue(q.String(), args...).Exec(counted)
	} else {
		var (
			positions      = make([]int64, n)
			ids            = make([]uuid.UUID, n)
			streamIDs      = make([]string, n)
			streamTypes    = make([]string, n)
			streamVersions = make([]int64, n)
			types          = make([]string, n)
			schemaVersions = make([]int32, n)
			data           = make([][]byte, n)
			metadata       = make([][]byte, n)
			occurredAt     = make([]time.Time, n)
			recordedAt     = make([]time.Time, n)
			prevHashes     = make([][]byte, n)
			hashes         = make([][]byte, n)
		)
		for i := range events {
			e := &events[i]
			positions[i], ids[i], streamIDs[i], streamTypes[i] = e.GlobalPosition, e.ID, e.StreamID, e.StreamType
			streamVersions[i], types[i], schemaVersions[i] = e.StreamVersion, e.Type, int32(e.SchemaVersion)
			data[i], metadata[i] = e.Data, e.Metadata
			occurredAt[i], recordedAt[i] = e.OccurredAt, e.RecordedAt
			prevHashes[i], hashes[i] = e.PrevHash[:], e.Hash[:]
		}
		t.queue(`INSERT INTO events (`+columns+`)
		SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::text[],
			$7::integer[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::bytea[], $13::bytea[])`,
			positions, ids, streamIDs, streamTypes, streamVersions, types, schemaVersions,
			data, metadata, occurredAt, recordedAt, prevHashes, hashes,
		).Exec(counted)
	}
	if t.upsertSeal {
		t.queue(`INSERT INTO chain_seal (id, position, hash, sealed_at, mac) VALUES (1, $1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash,
		sealed_at = excluded.sealed_at, mac = excluded.mac`,
			seal.Position, seal.Hash[:], seal.SealedAt, seal.MAC)
	} else {
		t.queue(`UPDATE chain_seal SET position = $1, hash = $2, sealed_at = $3, mac = $4 WHERE id = 1`,
			seal.Position, seal.Hash[:], seal.SealedAt, seal.MAC)
	}
	if t.sendRowsAtOnce {
		return t.flush(ctx, fmt.Sprintf("insert events %d to %d and seal", events[0].GlobalPosition, events[n-1].GlobalPosition))
	}
	return nil
}

// translate wraps a driver error with the operation that failed. A unique
// violation also matches writer.ErrUniqueViolation, on which the writer
// plans the batch again, looking its event ids up. When
// PostgreSQL refused a value that no event may hold (text that is not UTF-8
// or contains NUL, a time outside its range), the error also matches
// eventstore.ErrInvalidEvent: the writer retries a failed batch one append
// at a time, so it reaches the caller of the offending append only.
func translate(op string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation: an event id already stored
			return fmt.Errorf("%s: %w: %w", op, writer.ErrUniqueViolation, err)
		case "22021", // character_not_in_repertoire: invalid UTF-8, NUL
			"22P05", // untranslatable_character
			"22008": // datetime_field_overflow: timestamp out of range
			return fmt.Errorf("%s: %w: %w", op, eventstore.ErrInvalidEvent, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func scanEvents(rows pgx.Rows) ([]eventstore.Event, error) {
	defer rows.Close()
	var out []eventstore.Event
	for rows.Next() {
		var e eventstore.Event
		var data, metadata, prev, hash []byte
		if err := rows.Scan(&e.GlobalPosition, &e.ID, &e.StreamID, &e.StreamType, &e.StreamVersion, &e.Type,
			&e.SchemaVersion, &data, &metadata, &e.OccurredAt, &e.RecordedAt, &prev, &hash); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		// A hash of the wrong length is kept as read (zero-padded or cut):
		// Verify reports it as broken instead of failing to read the log.
		copy(e.PrevHash[:], prev)
		copy(e.Hash[:], hash)
		e.Data, e.Metadata = data, metadata
		e.OccurredAt, e.RecordedAt = e.OccurredAt.UTC(), e.RecordedAt.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

// sqlLimit maps "no limit" to NULL, which PostgreSQL's LIMIT takes as none.
func sqlLimit(limit int) *int64 {
	if limit <= 0 {
		return nil
	}
	l := int64(limit)
	return &l
}
