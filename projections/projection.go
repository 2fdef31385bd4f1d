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
	Apply(ctx context.Context, tx *sql.Tx, d Dialect, events []domain.Recorded) error
}
