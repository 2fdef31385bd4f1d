package projections

import (
	"context"
	"database/sql"

	"github.com/careledger/careledger/domain"
)

// Projection is one read model: its tables, and how an ordered batch of
// events changes them.
type Projection interface {
	// Name is stable; it keys the checkpoint.
	Name() string
	// Schema is the DDL of the projection's tables (CREATE … IF NOT
	// EXISTS), with {{ts}}, {{bigint}} and {{json}} for the types that
	// differ between dialects.
	Schema() []string
	// Tables lists the tables Schema makes, emptied by a rebuild.
	Tables() []string
	// Apply changes the read model by the events, in log order, inside tx.
	// It must be deterministic: the same events on the same rows give the
	// same rows. An error that is not transient stops the projection.
	// Its SQL names the tables of Schema: during a rebuild, tx writes the
	// same statements into the rebuild's own copies of them.
	Apply(ctx context.Context, tx Tx, d Dialect, events []domain.Recorded) error
}

// Tx is the transaction a projection applies events in: a *sql.Tx, or one
// that sends the projection's statements to a rebuild's shadow tables.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}
