package readtest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/readdb"
)

// TimeFloor measures what the database alone needs to write the read
// models' final contents once: every row of ps's tables, as the rebuild
// left them, copied by the database itself (INSERT … SELECT, in key order,
// one transaction) into empty tables of the same schema, then their
// indexes made over the loaded rows (two at a time on PostgreSQL, as the
// rebuild makes them). No event is read, decoded, opened or folded, no row
// crosses to the client, and no row is written twice: a rebuild does all
// of that and more, so no rebuild of this log on this database and machine
// can be faster than the floor. On SQLite the copy goes to a fresh file
// (ATTACH), on PostgreSQL to a fresh schema; both are removed afterwards.
func TimeFloor(b *testing.B, db readdb.DB, ps ...engine.Projection) time.Duration {
	ctx := context.Background()
	var tables []string
	for _, p := range ps {
		tables = append(tables, p.Tables()...)
	}
	if db.Dialect == readdb.SQLite {
		return sqliteFloor(ctx, b, db.SQL, tables)
	}
	return postgresFloor(ctx, b, db.SQL, tables)
}

func sqliteFloor(ctx context.Context, b *testing.B, db *sql.DB, tables []string) time.Duration {
	conn, err := db.Conn(ctx)
	require.NoError(b, err)
	defer conn.Close()
	path := filepath.Join(b.TempDir(), "floor.db")
	_, err = conn.ExecContext(ctx, `ATTACH DATABASE '`+path+`' AS floor`)
	require.NoError(b, err)
	defer conn.ExecContext(ctx, `DETACH DATABASE floor`) //nolint:errcheck // the file goes with the test's directory
	_, err = conn.ExecContext(ctx, `PRAGMA floor.journal_mode = WAL`)
	require.NoError(b, err)
	creates, indexes, err := sqliteSchema(ctx, conn, tables)
	require.NoError(b, err)
	start := time.Now()
	err = inTx(ctx, conn, func(tx *sql.Tx) error {
		for i, t := range tables {
			for _, stmt := range []string{creates[i], `INSERT INTO floor.` + t + ` SELECT * FROM main.` + t} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", stmt, err)
				}
			}
		}
		return nil
	})
	require.NoError(b, err)
	err = inTx(ctx, conn, func(tx *sql.Tx) error {
		for _, stmt := range indexes {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("%s: %w", stmt, err)
			}
		}
		return nil
	})
	require.NoError(b, err)
	return time.Since(start)
}

// sqliteSchema gives the statements that make tables (one each, in their
// order) and their declared indexes again in the attached file floor.
func sqliteSchema(ctx context.Context, conn *sql.Conn, tables []string) (creates, indexes []string, err error) {
	for i, t := range tables {
		err := func() error {
			rows, err := conn.QueryContext(ctx, `SELECT type, sql FROM main.sqlite_schema WHERE tbl_name = $1 AND sql IS NOT NULL ORDER BY type DESC`, t)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var typ, stmt string
				if err := rows.Scan(&typ, &stmt); err != nil {
					return err
				}
				// The same statement, its object made in the attached file.
				stmt = createdName.ReplaceAllString(stmt, "${1}floor.${2}")
				if typ == "table" {
					creates = append(creates, stmt)
				} else {
					indexes = append(indexes, stmt)
				}
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, nil, fmt.Errorf("the schema of %s: %w", t, err)
		}
		if len(creates) != i+1 {
			return nil, nil, fmt.Errorf("no table %s to copy", t)
		}
	}
	return creates, indexes, nil
}

// inTx runs fn in a transaction on conn, committed if fn succeeds.
func inTx(ctx context.Context, conn *sql.Conn, fn func(*sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after a commit, a no-op
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// createdName finds the name a CREATE TABLE or CREATE INDEX statement
// makes, bare or quoted as SQLite spells a renamed table (an index's
// table, after ON, stays unqualified: SQLite looks for it in the index's
// own schema).
var createdName = regexp.MustCompile(`(?i)^(CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?)(\w+|"[^"]+")`)

func postgresFloor(ctx context.Context, b *testing.B, db *sql.DB, tables []string) time.Duration {
	for _, stmt := range []string{`DROP SCHEMA IF EXISTS floor CASCADE`, `CREATE SCHEMA floor`} {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(b, err)
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP SCHEMA IF EXISTS floor CASCADE`) //nolint:errcheck // the database is the test's own
	indexes, err := postgresIndexes(ctx, db, tables)
	require.NoError(b, err)
	conn, err := db.Conn(ctx)
	require.NoError(b, err)
	defer conn.Close()
	start := time.Now()
	err = inTx(ctx, conn, func(tx *sql.Tx) error {
		for _, t := range tables {
			for _, stmt := range []string{`CREATE TABLE floor.` + t + ` (LIKE ` + t + ` INCLUDING DEFAULTS)`, `INSERT INTO floor.` + t + ` SELECT * FROM ` + t} {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", stmt, err)
				}
			}
		}
		return nil
	})
	require.NoError(b, err)
	work := make(chan string)
	errs := make(chan error, len(indexes))
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for stmt := range work {
				if _, err := db.ExecContext(ctx, stmt); err != nil {
					errs <- fmt.Errorf("%s: %w", stmt, err)
				}
			}
		})
	}
	for _, stmt := range indexes {
		work <- stmt
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(b, err)
	}
	return time.Since(start)
}

// postgresIndexes gives the statements that make tables' indexes again on
// their copies in the schema floor.
func postgresIndexes(ctx context.Context, db *sql.DB, tables []string) ([]string, error) {
	var indexes []string
	for _, t := range tables {
		err := func() error {
			rows, err := db.QueryContext(ctx, `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1`, t)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var def string
				if err := rows.Scan(&def); err != nil {
					return err
				}
				// CREATE [UNIQUE] INDEX name ON [schema.]table USING …: the
				// same index, on the copy.
				indexes = append(indexes, indexedTable.ReplaceAllString(def, "${1} ON floor."))
			}
			return rows.Err()
		}()
		if err != nil {
			return nil, fmt.Errorf("the indexes of %s: %w", t, err)
		}
	}
	return indexes, nil
}

// indexedTable finds "INDEX name ON [schema.]" in an index's definition.
var indexedTable = regexp.MustCompile(`(INDEX\s+\w+)\s+ON\s+(?:\w+\.)?`)
