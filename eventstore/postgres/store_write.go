package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

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
	// companionTables are the tables of the companion rows queued: a
	// unique violation in one of them is eventstore.ErrCompanionConflict.
	companionTables map[string]bool
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
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" && t.companionTables[pgErr.TableName] {
			return fmt.Errorf("%s: %w: %v", op, eventstore.ErrCompanionConflict, err)
		}
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

// translate wraps a driver error with the operation that failed. A unique
// violation also matches writer.ErrUniqueViolation, on which the writer
// plans the batch again, looking its event ids up. When
// PostgreSQL refused a value that no event may hold (text that is not UTF-8
// or contains NUL, a time outside its range), the error also matches
// eventstore.ErrInvalidEvent: the writer retries a failed batch one append
// at a time, so it reaches the caller of the offending append only.
//
// A full disk (53100 disk_full: a table or index file could not be
// extended) matches eventstore.ErrStorageFull. PostgreSQL has rolled the
// transaction back whole, and nothing needs a restart once space returns.
func translate(op string, err error) error {
	if dberr.StorageFull(err) {
		return fmt.Errorf("%s: %w", op, dberr.Translate(err))
	}
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
