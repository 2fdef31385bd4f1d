package engine

import (
	"context"
	"fmt"

	"github.com/careledger/careledger/projections/readdb"
)

// Drop removes the read models of ps from db, each table with its rebuild's
// shadow, and then the checkpoint table, in one transaction: for a database
// that no longer keeps them (SQLite's read models moved from the log's file
// to one of their own; see cmd/careledger's databases). Tables that are not
// there are skipped, so a database that never had them is left as it is.
func Drop(ctx context.Context, db readdb.DB, ps ...Projection) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("drop read models: %w", err)
	}
	defer tx.Rollback()
	for _, p := range ps {
		for _, t := range p.Tables() {
			for _, name := range []string{t, t + shadowSuffix} {
				if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+name); err != nil {
					return fmt.Errorf("drop read model %s: %w", p.Name(), err)
				}
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS projection_checkpoints`); err != nil {
		return fmt.Errorf("drop read models: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("drop read models: %w", err)
	}
	return nil
}
