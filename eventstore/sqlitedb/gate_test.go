package sqlitedb_test

import (
	"context"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/sqlitedb"
)

func writerDSN(path, txlock string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(30000)")
	if txlock != "" {
		q.Set("_txlock", txlock)
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// TestWritersTakeTurns: write transactions of one process on one file,
// from two pools, never overlap: each holds the file's Gate from BEGIN to
// COMMIT or ROLLBACK, and code that begins by itself (Lock) waits its turn
// too. A reader's transaction takes no turn.
func TestWritersTakeTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gate.db")
	a, b := sqlitedb.Open(writerDSN(path, "immediate")), sqlitedb.Open(writerDSN(path, "immediate"))
	reader := sqlitedb.Open(writerDSN(path, ""))
	for _, db := range []interface{ Close() error }{a, b, reader} {
		t.Cleanup(func() { db.Close() })
	}
	ctx := context.Background()
	_, err := a.ExecContext(ctx, `CREATE TABLE n (v INTEGER)`)
	require.NoError(t, err)

	var inside, most atomic.Int32
	enter := func() {
		now := inside.Add(1)
		for {
			m := most.Load()
			if now <= m || most.CompareAndSwap(m, now) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inside.Add(-1)
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Go(func() {
			db := a
			if i%2 == 1 {
				db = b
			}
			for range 5 {
				tx, err := db.BeginTx(ctx, nil)
				if !assert.NoError(t, err) {
					return
				}
				enter()
				_, err = tx.ExecContext(ctx, `INSERT INTO n VALUES (1)`)
				assert.NoError(t, err)
				if i%3 == 0 {
					assert.NoError(t, tx.Rollback())
				} else {
					assert.NoError(t, tx.Commit())
				}
			}
		})
	}
	gate := sqlitedb.GateOf(path)
	wg.Go(func() {
		for range 5 {
			if assert.NoError(t, gate.Lock(ctx)) {
				enter()
				gate.Unlock()
			}
		}
	})
	wg.Wait()
	assert.Equal(t, int32(1), most.Load(), "one writer at a time")

	// A reader begins while a writer holds the turn.
	tx, err := a.BeginTx(ctx, nil)
	require.NoError(t, err)
	rtx, err := reader.BeginTx(ctx, nil)
	require.NoError(t, err)
	var n int
	require.NoError(t, rtx.QueryRowContext(ctx, `SELECT count(*) FROM n`).Scan(&n))
	assert.Equal(t, 40, n, "the committed inserts: 8 of 12 writers commit, 5 each")
	require.NoError(t, rtx.Rollback())

	// A writer waits no longer than its context allows.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = b.BeginTx(short, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, tx.Rollback())
	tx, err = b.BeginTx(ctx, nil)
	require.NoError(t, err, "the turn came back with the rollback")
	require.NoError(t, tx.Rollback())
}
