package readdb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/postgres/pgtest"
)

// TestPrefixOfMeansTheSameOnBothDialects: whatever a prefix is spelt as
// (substr, a range of codes, equality), it keeps exactly the codes that
// start with it, on SQLite and on PostgreSQL — across a carry (370909,
// 3799), all nines, a village, a province, and what is not a code.
func TestPrefixOfMeansTheSameOnBothDialects(t *testing.T) {
	codes := []string{"37", "3709", "370902", "370902101", "370902101201", "370902101202", "370909", "370909101",
		"370910", "3709099", "3799", "379901", "3800", "99", "991", "999999", "38", "all", "a1", "a2", "a10", "b"}
	prefixes := []string{"", "all", "37", "3709", "370902", "370902101", "370902101201", "370909", "3799", "99", "999999", "9", "a1"}
	run := func(t *testing.T, db *sql.DB, d Dialect) {
		ctx := context.Background()
		_, err := db.ExecContext(ctx, `CREATE TABLE places (code TEXT NOT NULL)`)
		require.NoError(t, err)
		for _, c := range codes {
			_, err := db.ExecContext(ctx, `INSERT INTO places (code) VALUES ($1)`, c)
			require.NoError(t, err)
		}
		for _, p := range prefixes {
			var a Args
			rows, err := db.QueryContext(ctx, `SELECT code FROM places WHERE `+d.PrefixOf(&a, "code", p)+` ORDER BY code`, a...)
			require.NoError(t, err)
			var got []string
			for rows.Next() {
				var c string
				require.NoError(t, rows.Scan(&c))
				got = append(got, c)
			}
			require.NoError(t, rows.Err())
			rows.Close()
			var want []string
			for _, c := range codes {
				if p == "" || p == "all" || strings.HasPrefix(c, p) {
					want = append(want, c)
				}
			}
			assert.ElementsMatch(t, want, got, "prefix %q", p)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db, err := OpenSQLite(filepath.Join(t.TempDir(), "t.db"))
		require.NoError(t, err)
		defer db.Close()
		run(t, db, SQLite)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		pool, err := pgxpool.New(context.Background(), pgtest.NewDatabase(t))
		require.NoError(t, err)
		defer pool.Close()
		db := OpenPostgres(pool)
		defer db.Close()
		run(t, db, Postgres)
	})
}

func TestNextPrefix(t *testing.T) {
	for prefix, want := range map[string]string{"370902": "370903", "370909": "37091", "3799": "38", "0": "1", "19": "2"} {
		next, ok := nextPrefix(prefix)
		assert.True(t, ok, prefix)
		assert.Equal(t, want, next, prefix)
	}
	_, ok := nextPrefix("999")
	assert.False(t, ok)
}
