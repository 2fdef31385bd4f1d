// Package readdb is the read-model database: SQLite beside the embedded
// log, or the log's PostgreSQL. It holds what every read model and query
// shares — the typed handle (database, dialect, clock) queries run on, the
// few spellings that differ between the two dialects, the one way to bind
// and scan a timestamp, and multi-row writes — so that read models are
// written once, in the common subset of both.
package readdb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/careledger/careledger/eventstore/sqlitedb"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// DB is the read-model database as queries see it: the database, its
// dialect and the clock that "now" comes from (statuses that depend on the
// time, such as a deadline falling due, are judged at Now()).
type DB struct {
	SQL     *sql.DB
	Dialect Dialect
	// Clock gives "now"; nil: time.Now.
	Clock func() time.Time
}

// Now is the current time by the database handle's clock.
func (db DB) Now() time.Time {
	if db.Clock == nil {
		return time.Now()
	}
	return db.Clock()
}

// Tx is what a read model writes through: a *sql.Tx, or one that sends its
// statements to a rebuild's copies of its tables.
type Tx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Querier is a *sql.DB, a *sql.Tx or a Tx: what a query reads through.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// OpenSQLite opens a read-model database in a SQLite file (the server's
// is readmodels.db, beside the log's file). Transactions take the write
// lock at BEGIN and wait for each other. A
// connection caches up to 12 MiB of pages, and the pool keeps its four
// open: 16 MiB each took a startup rebuild of 997,103 events to a peak RSS
// of 302–313 MB once all four stayed open, 12 MiB to 277–287 MB, the same
// time (64 MiB made a startup rebuild of 468,069 events no faster —
// 21.3–21.6 s either way — and the server 100 MB bigger). What SQLite
// sorts beyond that cache (a rebuild making the indexes of tables of
// 880 000 rows) spills to temporary files, not to
// the heap: temp_store(MEMORY) held every such sort whole, 70–80 MB at the
// peak of a startup rebuild of 993 468 events (peak RSS 368–386 → 295–309
// MB, the same CPU). Temporary files go where SQLite puts them (SQLITE_TMPDIR,
// else TMPDIR, else /var/tmp or /tmp).
func OpenSQLite(path string) (*sql.DB, error) { return openSQLite(path, 12288) }

// OpenSQLiteRecords opens, as OpenSQLite does, a SQLite file of records the
// server keeps beside the log rather than read models (careledger.db: the
// data keys, the access log, token revocations, webhook deliveries), with a
// page cache of 2 MiB a connection: what it reads is a child's key, a
// revocation, a page of the access log. With the read models' 12 MiB, a
// server starting on the demo county of 64,000 children (the rebuild at
// start reading each child's data key) and then under load peaked at 314
// MB; with 2 MiB, at 287 and 294 MB (2026-12-07).
func OpenSQLiteRecords(path string) (*sql.DB, error) { return openSQLite(path, 2048) }

func openSQLite(path string, cacheKiB int) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(30000)", "foreign_keys(1)",
		fmt.Sprintf("cache_size(-%d)", cacheKiB), "temp_store(FILE)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db := sqlitedb.Open("file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode())
	db.SetMaxOpenConns(4)
	// Idle connections stay open with their compiled statements and page
	// cache: with database/sql's default of 2, the projections, the keys
	// and the queries closed and reopened connections under load (opening
	// one parses the schema; its cache starts cold).
	db.SetMaxIdleConns(4)
	return db, nil
}

// OpenPostgres gives a database/sql handle on the store's pool.
func OpenPostgres(pool *pgxpool.Pool) *sql.DB { return stdlib.OpenDBFromPool(pool) }
