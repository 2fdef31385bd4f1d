package readdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingTx counts the statements a write makes, by text.
type recordingTx struct {
	Tx
	texts map[string]int
}

func (r *recordingTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	r.texts[query]++
	return r.Tx.ExecContext(ctx, query, args...)
}

func TestInsertRowsWritesEveryRowWithFewShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := tableT(t)

	shapes := map[string]int{}
	next := 0
	for _, n := range []int{1, 13, 7, 600, 3} {
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{next, strings.Repeat("v", i%5)}
			next++
		}
		tx, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		rec := &recordingTx{Tx: tx, texts: shapes}
		require.NoError(t, InsertRows(ctx, rec, SQLite, `INSERT INTO t (k, v) VALUES `, ``, rows))
		require.NoError(t, tx.Commit())
	}
	var count, sum int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*), sum(k) FROM t`).Scan(&count, &sum))
	assert.Equal(t, next, count, "every row written once")
	assert.Equal(t, next*(next-1)/2, sum)
	// Row counts 1, 13 (8+4+1), 7 (4+2+1), 600 (500 prepared + 64+32+4), 3 (2+1): powers of two only.
	for text := range shapes {
		n := strings.Count(text, "(?, ?)")
		assert.Equal(t, 0, n&(n-1), "a statement of %d rows", n)
	}
	assert.LessOrEqual(t, len(shapes), 8)
}

// TestInsertRowsStillFailsOnAConstraint: new rows are written on SQLite as
// INSERT OR FAIL (no statement journal), and a row that breaks a
// constraint still fails the write, so that the transaction is rolled
// back and leaves nothing.
func TestInsertRowsStillFailsOnAConstraint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := tableT(t)

	texts := map[string]int{}
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	rec := &recordingTx{Tx: tx, texts: texts}
	err = InsertRows(ctx, rec, SQLite, "\n\tINSERT INTO t (k, v) VALUES ", ``, [][]any{{1, "a"}, {2, "b"}, {2, "again"}, {3, "c"}})
	require.Error(t, err, "the key 2 twice")
	require.NoError(t, tx.Rollback())
	var count int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&count))
	assert.Zero(t, count)
	for text := range texts {
		assert.True(t, strings.HasPrefix(text, "INSERT OR FAIL INTO t "), text)
	}

	// With a tail (an upsert), the statement is the caller's.
	tx, err = db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer tx.Rollback()
	require.NoError(t, InsertRows(ctx, &recordingTx{Tx: tx, texts: texts}, SQLite, `INSERT INTO t (k, v) VALUES `,
		` ON CONFLICT (k) DO UPDATE SET v = excluded.v`, [][]any{{1, "a"}}))
	assert.Contains(t, texts, `INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`)
}

// tableT is a SQLite database of one empty table t (k INTEGER PRIMARY KEY,
// v TEXT NOT NULL), closed when the test ends.
func tableT(t *testing.T) *sql.DB {
	t.Helper()
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.ExecContext(context.Background(), `CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
	require.NoError(t, err)
	return db
}
