package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/careledger/careledger/eventstore"

	"github.com/careledger/careledger/eventstore/dberr"
	"github.com/careledger/careledger/eventstore/internal/writer"
)

// WriteTx implements writer.Backend: BEGIN IMMEDIATE takes SQLite's write
// lock, which excludes writers in every process until commit. The writer
// runs one transaction at a time, on its own connection.
//
// A full file system (SQLITE_FULL, from an insert or the COMMIT that
// writes the WAL) fails the transaction with eventstore.ErrStorageFull.
// It is rolled back whole — WAL frames without their commit frame are
// never read — and the connection stays good: once space is freed, the
// next transaction goes through.
func (s *Store) WriteTx(ctx context.Context, fn func(writer.Tx) error) error {
	if err := s.gate.Lock(ctx); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer s.gate.Unlock()
	if _, err := s.stmts.begin.ExecContext(ctx); err != nil {
		return fmt.Errorf("begin: %w", dberr.Translate(err))
	}
	err := fn(writeTx{stmts: &s.stmts, conn: s.wconn})
	if err == nil {
		if _, err = s.stmts.commit.ExecContext(ctx); err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
	}
	if err != nil {
		// After a failed COMMIT SQLite may already have rolled back; a
		// failing ROLLBACK then changes nothing.
		_, _ = s.stmts.rollback.ExecContext(ctx)
		return dberr.Translate(err)
	}
	return nil
}

// Companions inserts the companion rows on the writer's connection, inside
// its transaction; a taken key is eventstore.ErrCompanionConflict.
func (t writeTx) Companions(ctx context.Context, rows []eventstore.Companion) error {
	for _, c := range rows {
		if _, err := t.conn.ExecContext(ctx, c.Insert(), c.Values...); err != nil {
			if err = translate(err); errors.Is(err, writer.ErrUniqueViolation) {
				return fmt.Errorf("insert into %s: %w: %v", c.Table, eventstore.ErrCompanionConflict, err)
			}
			return fmt.Errorf("insert into %s: %w", c.Table, err)
		}
	}
	return nil
}
