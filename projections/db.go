package projections

import (
	"database/sql"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // the "sqlite" driver
)

// OpenSQLite opens the read-model database in the SQLite file that holds
// the log (read models live beside it). Transactions take the write lock
// at BEGIN, as the store's writer does, and wait for each other. A
// connection caches up to 64 MiB of pages and keeps its statement journals
// in memory, so that a rebuild's large transactions stay off the disk
// until they commit.
func OpenSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(30000)", "foreign_keys(1)",
		"cache_size(-65536)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open read models %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	return db, nil
}

// OpenPostgres gives a database/sql handle on the store's pool.
func OpenPostgres(pool *pgxpool.Pool) *sql.DB { return stdlib.OpenDBFromPool(pool) }
