package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func open(t *testing.T) (*sql.DB, *sql.Conn) {
	t.Helper()
	db := Open("file:" + filepath.Join(t.TempDir(), "t.db") + "?_pragma=journal_mode(WAL)")
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return db, c
}

// cached is the cache of the driver connection under c.
func cached(t *testing.T, c *sql.Conn) *conn {
	t.Helper()
	var dc *conn
	require.NoError(t, c.Raw(func(raw any) error { dc = raw.(*conn); return nil }))
	return dc
}

func TestStatementsAreCompiledOncePerConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := open(t)
	// A script of several statements runs, uncached.
	_, err := c.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);`)
	require.NoError(t, err)
	assert.Empty(t, cached(t, c).cache, "a script is not cached")
	for i := range 10 {
		_, err := c.ExecContext(ctx, `INSERT INTO t (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i))
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, c.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k >= ?`, 5).Scan(&n))
	assert.Equal(t, 5, n, "the cached statement binds fresh arguments")
	require.NoError(t, c.QueryRowContext(ctx, `SELECT count(*) FROM t WHERE k >= ?`, 8).Scan(&n))
	assert.Equal(t, 2, n)
	assert.Len(t, cached(t, c).cache, 2, "one entry per distinct statement")
}

func TestAStatementBeingReadIsNotReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := open(t)
	_, err := c.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY)`)
	require.NoError(t, err)
	for i := range 3 {
		_, err := c.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, i)
		require.NoError(t, err)
	}
	const q = `SELECT k FROM t WHERE k >= ? ORDER BY k`
	outer, err := c.QueryContext(ctx, q, 0)
	require.NoError(t, err)
	var got []int
	for outer.Next() {
		var k int
		require.NoError(t, outer.Scan(&k))
		// The same text while the outer rows are open: it must not reset
		// the statement the outer loop reads.
		inner, err := c.QueryContext(ctx, q, 2)
		require.NoError(t, err)
		var ks []int
		for inner.Next() {
			var j int
			require.NoError(t, inner.Scan(&j))
			ks = append(ks, j)
		}
		require.NoError(t, inner.Close())
		assert.Equal(t, []int{2}, ks)
		got = append(got, k)
	}
	require.NoError(t, outer.Err())
	require.NoError(t, outer.Close())
	assert.Equal(t, []int{0, 1, 2}, got)
}

func TestTheCacheIsBoundedAndFollowsSchemaChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, c := open(t)
	_, err := c.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)`)
	require.NoError(t, err)
	for i := range CacheSize + 10 {
		_, err := c.ExecContext(ctx, fmt.Sprintf(`INSERT INTO t (k, v) VALUES (%d, 'x')`, i))
		require.NoError(t, err)
	}
	assert.Len(t, cached(t, c).cache, CacheSize)
	assert.Equal(t, CacheSize, cached(t, c).order.Len())

	var v string
	require.NoError(t, c.QueryRowContext(ctx, `SELECT * FROM t WHERE k = ?`, 1).Scan(new(int), &v))
	_, err = c.ExecContext(ctx, `ALTER TABLE t ADD COLUMN w TEXT NOT NULL DEFAULT 'w'`)
	require.NoError(t, err)
	var w string
	require.NoError(t, c.QueryRowContext(ctx, `SELECT * FROM t WHERE k = ?`, 1).Scan(new(int), &v, &w),
		"a cached statement is recompiled after its table changed")
	assert.Equal(t, "w", w)
}

func TestErrorsAndTransactionsPassThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := open(t)
	_, err := db.ExecContext(ctx, `CREATE TABLE t (k INTEGER PRIMARY KEY)`)
	require.NoError(t, err)
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, 1)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, 1)
	require.Error(t, err, "a constraint violation is reported")
	require.NoError(t, tx.Rollback())
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n))
	assert.Zero(t, n, "the rolled back insert is gone")
	_, err = db.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, 1)
	require.NoError(t, err, "the statement that failed is usable again")
}
