package readdb

import (
	"context"
	"fmt"
)

// SchemaLock is the PostgreSQL advisory lock every process takes while it
// makes tables (pg_advisory_xact_lock(hashtext(SchemaLock))): servers and
// projection workers started together on one database make them one after
// the other. Two CREATE TABLE IF NOT EXISTS of one table at the same moment
// fail on PostgreSQL (a duplicate key in pg_type or pg_class): three
// servers started on a fresh database crashed so in two runs of three.
const SchemaLock = "careledger read models"

// Migrate runs DDL statements (CREATE … IF NOT EXISTS, with the
// dialect's {{ts}} and the like) in one transaction, on PostgreSQL under
// SchemaLock. what names them in an error.
func (db DB) Migrate(ctx context.Context, what string, stmts []string) error {
	tx, err := db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", what, err)
	}
	defer tx.Rollback()
	if db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, SchemaLock); err != nil {
			return fmt.Errorf("migrate %s: %w", what, err)
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, db.Dialect.DDL(s)); err != nil {
			return fmt.Errorf("migrate %s: %w", what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: %w", what, err)
	}
	return nil
}
