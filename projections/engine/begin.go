package engine

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/careledger/careledger/projections/readdb"
)

// begin starts a transaction that changes the read models of ps and their
// checkpoints. On PostgreSQL, unless one of ps is Numbered, it commits
// without waiting for its WAL to reach the disk (synchronous_commit off,
// for this transaction only): read models are made from the log, and a
// checkpoint moves in the same transaction as the rows, so a crash of the
// database can lose only the last such transactions whole — never half of
// one, never one without the events it applied (those were committed, and
// flushed, before it read them) — and the projection applies those events
// again after the restart. The log's appends, the keys, the access log and
// Numbered projections keep waiting for the disk. On PostgreSQL each
// projection commits its own transaction per page: ten flushes a page
// where one would do.
func (e *Engine) begin(ctx context.Context, ps ...Projection) (*sql.Tx, error) {
	return e.beginOn(ctx, e.db, ps...)
}

// beginOn is begin on db: the pool, or a connection taken from it.
func (e *Engine) beginOn(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, ps ...Projection) (*sql.Tx, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if e.dialect == readdb.Postgres && !slices.ContainsFunc(ps, numbered) {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("begin: %w", err)
		}
	}
	return tx, nil
}

func numbered(p Projection) bool {
	_, ok := p.(Numbered)
	return ok
}
