package engine

import (
	"context"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
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
	Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error
}

// Clocked is a projection whose rows also change with the time, not only
// with events (an obligation falls due). Tick brings them up to now inside
// tx; the engine runs it under the same lock as Apply, so that the
// projection stays its tables' only writer. It must be idempotent. It may
// do part of the work and say more: the engine commits and calls it again
// in a new transaction, and the projection's Apply may run between, so
// that a long tick never holds the projection still.
type Clocked interface {
	Tick(ctx context.Context, tx readdb.Tx, d readdb.Dialect, now time.Time) (more bool, err error)
}

// Numbered is a projection that numbers its rows for readers outside the
// database, who remember the last number they were told and resume after
// it (the deadline view's opened_seq, which notifications and webhooks
// resume by). Its transactions wait for the disk (see begin): one lost in
// a crash of the database could give its numbers to other rows when its
// events are applied again, and a reader would skip them.
type Numbered interface {
	NumbersItsRows()
}

// IndexedApply is implemented by a projection whose Apply looks rows up by
// a secondary index (not the primary key): a rebuild makes those indexes
// with its shadow tables rather than after loading them.
type IndexedApply interface {
	ApplyIndexes() []string
}
