package engine

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/careledger/careledger/projections/readdb"
)

// copyingTx is a rebuild's transaction on PostgreSQL: begun on a
// connection of its own, so that it can load rows with COPY in the
// transaction (readdb.Copier), where a multi-row INSERT had its
// parameters encoded one by one and its statement parsed by the server.
type copyingTx struct {
	*sql.Tx
	conn *sql.Conn
}

// beginCopying begins, on a connection taken from the pool, what begin
// does; end rolls back what was not committed and gives the connection
// back.
func (e *Engine) beginCopying(ctx context.Context, ps ...Projection) (tx copyingTx, end func(), err error) {
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return copyingTx{}, nil, fmt.Errorf("begin: %w", err)
	}
	sqlTx, err := e.beginOn(ctx, conn, ps...)
	if err != nil {
		conn.Close()
		return copyingTx{}, nil, err
	}
	return copyingTx{Tx: sqlTx, conn: conn}, func() {
		_ = sqlTx.Rollback()
		_ = conn.Close()
	}, nil
}

// CopyFrom loads rows into table's columns with COPY, in the transaction.
func (t copyingTx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) error {
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: the connection is not pgx's (%T)", table, dc)
		}
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("copy into %s: %d rows of %d copied", table, n, len(rows))
		}
		return nil
	})
}

var _ readdb.Copier = copyingTx{}
