// Package sqlite is the embedded event store: one SQLite file (pure Go,
// modernc.org/sqlite) in WAL mode with synchronous=FULL, so an acknowledged
// append survives power loss. Writers in every process are serialized by
// SQLite's write lock (BEGIN IMMEDIATE); within a process, appends are group
// committed by the shared writer. Readers see committed snapshots only, so
// the log they see has no gaps.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite" // also registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/internal/migrate"
	"github.com/careledger/careledger/eventstore/internal/writer"
	"github.com/careledger/careledger/eventstore/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite event store.
type Store struct {
	write  *sql.DB   // one connection, for migrations and the writer
	wconn  *sql.Conn // that connection, held by the writer
	read   *sql.DB
	writer *writer.Writer
	opts   eventstore.Options
	// gate is the turn of this process's writers of the file
	// (sqlitedb.Gate): WriteTx takes it before BEGIN IMMEDIATE.
	gate *sqlitedb.Gate

	stmts writeStmts

	closeOnce sync.Once
	closeErr  error
}

// writeStmts are prepared once on the single write connection; a group
// commit costs a handful of statement executions and no SQL compilation.
type writeStmts struct {
	begin, commit, rollback          *sql.Stmt
	head, stream, byID, insert, seal *sql.Stmt
	readSeal                         *sql.Stmt
}

func (s *Store) prepare(ctx context.Context) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	s.wconn = conn
	for _, p := range []struct {
		stmt  **sql.Stmt
		query string
	}{
		// BEGIN IMMEDIATE takes the database's write lock at once, so the
		// head read next is the head the commit will extend.
		{&s.stmts.begin, `BEGIN IMMEDIATE`},
		{&s.stmts.commit, `COMMIT`},
		{&s.stmts.rollback, `ROLLBACK`},
		{&s.stmts.head, headQuery},
		{&s.stmts.stream, `SELECT stream_version, stream_type FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1`},
		{&s.stmts.byID, `SELECT ` + columns + ` FROM events WHERE event_id = ?`},
		{&s.stmts.readSeal, sealQuery},
		{&s.stmts.insert, `INSERT INTO events (` + columns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.stmts.seal, `INSERT INTO chain_seal (id, position, hash, sealed_at, mac) VALUES (1, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, hash = excluded.hash,
			sealed_at = excluded.sealed_at, mac = excluded.mac`},
	} {
		stmt, err := conn.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = stmt
	}
	return nil
}

var _ eventstore.CompanionStore = (*Store)(nil)

// busyTimeout is how long a writer waits for another process's write lock.
const busyTimeout = 30 * time.Second

// Open opens (creating if needed) the store in the SQLite file at path and
// applies its migrations.
func Open(ctx context.Context, path string, opts eventstore.Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("open sqlite store: empty path")
	}
	dsn := func(extra string) string {
		q := url.Values{}
		for _, p := range []string{
			"journal_mode(WAL)",
			"synchronous(FULL)",
			fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()),
			"foreign_keys(1)",
		} {
			q.Add("_pragma", p)
		}
		if extra != "" {
			q.Set("_txlock", extra)
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	write := sqlitedb.Open(dsn("immediate"))
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read := sqlitedb.Open(dsn(""))
	read.SetMaxOpenConns(8)
	// Idle readers stay open with the statements they compiled: with
	// database/sql's default of 2, a burst of reads closed and reopened
	// connections, and opening one was 6 % of the server's time under load.
	read.SetMaxIdleConns(8)
	s := &Store{write: write, read: read, opts: opts, gate: sqlitedb.GateOf(path)}
	if err := s.migrate(ctx); err != nil {
		s.closeDB()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	if err := s.prepare(ctx); err != nil {
		s.closeDB()
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	s.writer = writer.New(s, opts)
	return s, nil
}

// DB is the database, for read models that live beside the log.
func (s *Store) DB() *sql.DB { return s.read }

func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrate.List(migrations, "migrations")
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if current > migrate.Latest(ms) {
		return fmt.Errorf("migrate: database schema is at version %d, newer than this build knows (%d)", current, migrate.Latest(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	return tx.Commit()
}

// Append implements eventstore.Store.
func (s *Store) Append(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	return s.writer.Append(ctx, stream, expected, events)
}

// AppendWith implements eventstore.CompanionStore: the companion rows go
// into the store's own file, in the transaction of the events.
func (s *Store) AppendWith(ctx context.Context, stream eventstore.StreamRef, expected eventstore.ExpectedVersion, companions []eventstore.Companion, events ...eventstore.NewEvent) ([]eventstore.Event, error) {
	return s.writer.AppendWith(ctx, stream, expected, companions, events)
}

// Stats implements eventstore.Store.
func (s *Store) Stats() eventstore.Stats { return s.writer.Stats() }

// Close implements eventstore.Store. It may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.writer.Close()
		s.closeErr = s.closeDB()
	})
	return s.closeErr
}

func (s *Store) closeDB() error {
	var errs []error
	// Statements prepared on a sql.Conn are not closed with it, and SQLite
	// keeps a connection with unfinalized statements open — its file, WAL
	// and shared memory — after the pool has let it go.
	for _, stmt := range []*sql.Stmt{s.stmts.begin, s.stmts.commit, s.stmts.rollback, s.stmts.head, s.stmts.stream,
		s.stmts.byID, s.stmts.insert, s.stmts.seal, s.stmts.readSeal} {
		if stmt != nil {
			errs = append(errs, stmt.Close())
		}
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	return errors.Join(append(errs, s.write.Close(), s.read.Close())...)
}

const columns = `global_position, event_id, stream_id, stream_type, stream_version, event_type,
	schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash`

// ReadStream implements eventstore.Store.
func (s *Store) ReadStream(ctx context.Context, streamID string, afterVersion int64, limit int) ([]eventstore.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+columns+` FROM events
		WHERE stream_id = ? AND stream_version > ? ORDER BY stream_version LIMIT ?`,
		streamID, afterVersion, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", streamID, err)
	}
	return scanEvents(rows)
}

// readStreamsChunk is how many stream ids one ReadStreams query binds,
// well within SQLite's limit on bound parameters.
const readStreamsChunk = 500

// ReadStreams implements eventstore.Store: one query per readStreamsChunk
// ids, each stream read through the (stream_id, stream_version) index.
func (s *Store) ReadStreams(ctx context.Context, streamIDs []string, upToPosition int64) (map[string][]eventstore.Event, error) {
	out := make(map[string][]eventstore.Event)
	ids := uniqueIDs(streamIDs)
	bound := upToPosition
	if bound <= 0 {
		bound = math.MaxInt64
	}
	for start := 0; start < len(ids); start += readStreamsChunk {
		chunk := ids[start:min(start+readStreamsChunk, len(ids))]
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, bound)
		rows, err := s.read.QueryContext(ctx, `SELECT `+columns+` FROM events
			WHERE stream_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`) AND global_position <= ?
			ORDER BY stream_id, stream_version`, args...)
		if err != nil {
			return nil, fmt.Errorf("read %d streams: %w", len(chunk), err)
		}
		events, err := scanEvents(rows)
		if err != nil {
			return nil, fmt.Errorf("read %d streams: %w", len(chunk), err)
		}
		for _, e := range events {
			out[e.StreamID] = append(out[e.StreamID], e)
		}
	}
	return out, nil
}

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
	rows, err := s.read.QueryContext(ctx, `SELECT `+columns+` FROM events
		WHERE global_position > ? ORDER BY global_position LIMIT ?`, afterPosition, sqlLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", afterPosition, err)
	}
	return scanEvents(rows)
}

// Head implements eventstore.Store.
func (s *Store) Head(ctx context.Context) (eventstore.Anchor, error) {
	h, err := readHead(ctx, s.read.QueryRowContext(ctx, headQuery))
	if err != nil {
		return eventstore.Anchor{}, fmt.Errorf("read head: %w", err)
	}
	return eventstore.Anchor{Position: h.Position, Hash: h.Hash}, nil
}

// Verify implements eventstore.Store.
func (s *Store) Verify(ctx context.Context, anchors ...eventstore.Anchor) (eventstore.Verification, error) {
	return eventstore.VerifyChain(ctx, s.ReadLog, s.readSeal, s.opts.SealKey, anchors...)
}

// VerifyFrom implements eventstore.Store.
func (s *Store) VerifyFrom(ctx context.Context, from eventstore.Anchor) (eventstore.Verification, eventstore.Anchor, error) {
	return eventstore.VerifyChainFrom(ctx, s.ReadLog, s.readSeal, s.opts.SealKey, from)
}

const headQuery = `SELECT global_position, hash, recorded_at FROM events ORDER BY global_position DESC LIMIT 1`

const sealQuery = `SELECT position, hash, sealed_at, mac FROM chain_seal WHERE id = 1`

func (s *Store) readSeal(ctx context.Context) (eventstore.Seal, bool, error) {
	return scanSeal(s.read.QueryRowContext(ctx, sealQuery))
}

func scanSeal(row *sql.Row) (eventstore.Seal, bool, error) {
	var seal eventstore.Seal
	var hash, mac []byte
	var sealedAt int64
	err := row.Scan(&seal.Position, &hash, &sealedAt, &mac)
	if errors.Is(err, sql.ErrNoRows) {
		return eventstore.Seal{}, false, nil
	}
	if err != nil {
		return eventstore.Seal{}, false, err
	}
	copy(seal.Hash[:], hash)
	seal.SealedAt, seal.MAC = time.UnixMicro(sealedAt).UTC(), mac
	return seal, true, nil
}

func readHead(ctx context.Context, row *sql.Row) (writer.Head, error) {
	var h writer.Head
	var hash []byte
	var recordedAt int64
	err := row.Scan(&h.Position, &hash, &recordedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return writer.Head{}, nil
	}
	if err != nil {
		return writer.Head{}, err
	}
	copy(h.Hash[:], hash)
	h.RecordedAt = time.UnixMicro(recordedAt).UTC()
	return h, nil
}

type writeTx struct {
	stmts *writeStmts
	conn  *sql.Conn // the writer's connection, in the transaction
}

func (t writeTx) State(ctx context.Context, ids []string) (writer.LogState, error) {
	head, err := readHead(ctx, t.stmts.head.QueryRowContext(ctx))
	if err != nil {
		return writer.LogState{}, err
	}
	seal, sealed, err := scanSeal(t.stmts.readSeal.QueryRowContext(ctx))
	if err != nil {
		return writer.LogState{}, fmt.Errorf("read seal: %w", err)
	}
	out := make(map[string]writer.StreamState, len(ids))
	for _, id := range ids {
		var st writer.StreamState
		err := t.stmts.stream.QueryRowContext(ctx, id).Scan(&st.Version, &st.Type)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return writer.LogState{}, err
		}
		out[id] = st
	}
	return writer.LogState{Head: head, Streams: out, Seal: seal, Sealed: sealed}, nil
}

// Expect reads the head and streams and compares: on SQLite, reading them
// costs no round trip, so there is nothing to save by sending them later.
func (t writeTx) Expect(ctx context.Context, head writer.Head, streams map[string]writer.StreamState) error {
	ids := make([]string, 0, len(streams))
	for id := range streams {
		ids = append(ids, id)
	}
	actual, err := t.State(ctx, ids)
	if err != nil {
		return err
	}
	if actual.Head.Position != head.Position || actual.Head.Hash != head.Hash {
		return fmt.Errorf("head is at %d, not %d: %w", actual.Head.Position, head.Position, writer.ErrStale)
	}
	for id, st := range streams {
		if v := actual.Streams[id].Version; v != st.Version {
			return fmt.Errorf("stream %s is at version %d, not %d: %w", id, v, st.Version, writer.ErrStale)
		}
	}
	return nil
}

func (t writeTx) Existing(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]eventstore.Event, error) {
	stmt := t.stmts.byID
	out := map[uuid.UUID]eventstore.Event{}
	for _, id := range ids {
		rows, err := stmt.QueryContext(ctx, id.String())
		if err != nil {
			return nil, err
		}
		events, err := scanEvents(rows)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			out[e.ID] = e
		}
	}
	return out, nil
}

func (t writeTx) Insert(ctx context.Context, events []eventstore.Event, seal eventstore.Seal) error {
	stmt := t.stmts.insert
	for _, e := range events {
		if _, err := stmt.ExecContext(ctx, e.GlobalPosition, e.ID.String(), e.StreamID, e.StreamType,
			e.StreamVersion, e.Type, e.SchemaVersion, string(e.Data), string(e.Metadata),
			e.OccurredAt.UnixMicro(), e.RecordedAt.UnixMicro(), e.PrevHash[:], e.Hash[:]); err != nil {
			return fmt.Errorf("insert event %d: %w", e.GlobalPosition, translate(err))
		}
	}
	if _, err := t.stmts.seal.ExecContext(ctx, seal.Position, seal.Hash[:], seal.SealedAt.UnixMicro(), seal.MAC); err != nil {
		return fmt.Errorf("write seal: %w", err)
	}
	return nil
}

func scanEvents(rows *sql.Rows) ([]eventstore.Event, error) {
	defer rows.Close()
	var out []eventstore.Event
	for rows.Next() {
		var e eventstore.Event
		var id string
		var data, metadata, prev, hash []byte
		var occurredAt, recordedAt int64
		if err := rows.Scan(&e.GlobalPosition, &id, &e.StreamID, &e.StreamType, &e.StreamVersion, &e.Type,
			&e.SchemaVersion, &data, &metadata, &occurredAt, &recordedAt, &prev, &hash); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		var err error
		if e.ID, err = uuid.Parse(id); err != nil {
			return nil, fmt.Errorf("event %d: id: %w", e.GlobalPosition, err)
		}
		// A hash of the wrong length is kept as read (zero-padded): Verify
		// reports it as broken instead of failing to read the log.
		copy(e.PrevHash[:], prev)
		copy(e.Hash[:], hash)
		e.Data, e.Metadata = data, metadata
		e.OccurredAt, e.RecordedAt = time.UnixMicro(occurredAt).UTC(), time.UnixMicro(recordedAt).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}

func sqlLimit(limit int) int64 {
	if limit <= 0 {
		return -1 // SQLite: no limit
	}
	return int64(limit)
}

// translate maps SQLite's unique-constraint errors onto the writer's.
func translate(err error) error {
	var e *sqlite.Error
	if errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return fmt.Errorf("%w: %v", writer.ErrUniqueViolation, err)
	}
	return err
}
