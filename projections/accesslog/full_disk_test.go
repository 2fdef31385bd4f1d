package accesslog_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
	"github.com/careledger/careledger/projections/accesslog"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// TestFlusherWaitsOutAFullDisk: reads recorded while the disk is full are
// kept, and the flusher keeps trying — past the ten failures after which it
// gives up on other errors — so that they are written once space is freed,
// whether or not anyone reads (or flushes) meanwhile.
func TestFlusherWaitsOutAFullDisk(t *testing.T) {
	t.Parallel()
	enginetest.FullDiskBackends(t, 8<<20, func(t *testing.T, b enginetest.Backend, fs *fulldisktest.FS) {
		ctx := context.Background()
		require.NoError(t, accesslog.Migrate(ctx, b.DB))
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		log := accesslog.New(b.DB, accesslog.Options{FlushEvery: time.Millisecond, Logger: quiet})
		defer log.Close(ctx)
		if b.DB.Dialect == readdb.SQLite {
			// Empty the WAL, so that no write finds room in it.
			_, err := b.DB.SQL.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			require.NoError(t, err)
		}
		fs.Fill(t, 0)
		for _, child := range []string{"child-a", "child-b", "child-c"} {
			log.Record(readOf(child, "370902101201"))
		}
		// Ten failures, waiting 2, 4, 8 … 1024 ms in between, take 2 s.
		time.Sleep(3 * time.Second)
		entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{})
		require.NoError(t, err)
		require.Empty(t, entries, "the full disk held the entries back")

		fs.Free(t)
		assert.Eventually(t, func() bool {
			entries, err := accesslog.Query(ctx, b.DB, accesslog.Filter{})
			return err == nil && len(entries) == 3
		}, 15*time.Second, 20*time.Millisecond, "the flusher writes them once space returns, unasked")
	})
}
