package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/careledger/careledger/projections/readdb"
)

// projection_checkpoints holds, per projection, the position of the last
// event applied, whether it stopped (and why), and the schema its tables
// were made with.
const checkpointSchema = `CREATE TABLE IF NOT EXISTS projection_checkpoints (
	name     TEXT PRIMARY KEY,
	position {{bigint}} NOT NULL,
	status   TEXT NOT NULL DEFAULT 'running',
	error    TEXT,
	schema   TEXT
)`

// migrateCheckpoints makes the checkpoint table, and adds the schema column
// to one an earlier build made without it.
func migrateCheckpoints(ctx context.Context, tx *sql.Tx, d readdb.Dialect) error {
	if _, err := tx.ExecContext(ctx, d.DDL(checkpointSchema)); err != nil {
		return err
	}
	if d == readdb.Postgres {
		_, err := tx.ExecContext(ctx, `ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS schema TEXT`)
		return err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('projection_checkpoints') WHERE name = 'schema'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		_, err := tx.ExecContext(ctx, `ALTER TABLE projection_checkpoints ADD COLUMN schema TEXT`)
		return err
	}
	return nil
}

// queryRower is a *sql.DB or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkpoint is the position of the last event a projection applied.
func checkpoint(ctx context.Context, q queryRower, name string) (int64, error) {
	var pos int64
	err := q.QueryRowContext(ctx, `SELECT position FROM projection_checkpoints WHERE name = $1`, name).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint of %s: %w", name, err)
	}
	return pos, nil
}

func saveCheckpoint(ctx context.Context, tx *sql.Tx, name string, pos int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, position, status, error) VALUES ($1, $2, 'running', NULL)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, status = 'running', error = NULL`, name, pos)
	if err != nil {
		return fmt.Errorf("save checkpoint of %s: %w", name, err)
	}
	return nil
}

// advanceCheckpoint moves a projection's checkpoint from one position to
// the next; errRace when it is no longer where the transaction found it.
func advanceCheckpoint(ctx context.Context, tx *sql.Tx, name string, from, to int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, position, status, error) VALUES ($1, $2, 'running', NULL)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position, status = 'running', error = NULL
		WHERE projection_checkpoints.position = $3`, name, to, from)
	if err != nil {
		return fmt.Errorf("save checkpoint of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("save checkpoint of %s: %w", name, err)
	}
	if n == 0 {
		return errRace
	}
	return nil
}

func saveStopped(ctx context.Context, db *sql.DB, name string, pos int64, cause error) error {
	_, err := db.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, position, status, error) VALUES ($1, $2, 'stopped', $3)
		ON CONFLICT (name) DO UPDATE SET status = 'stopped', error = excluded.error`, name, pos, cause.Error())
	return err
}
