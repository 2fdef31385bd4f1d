package engine_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// TestProjectionWaitsOutAFullDisk: a read model that cannot be written
// because the disk is full does not stop — a stopped projection would wait
// for a rebuild — however many more tries than Attempts that takes; once
// space is freed it catches up by itself, to the read model the log makes.
func TestProjectionWaitsOutAFullDisk(t *testing.T) {
	enginetest.FullDiskBackends(t, 16<<20, func(t *testing.T, b enginetest.Backend, fs *fulldisktest.FS) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 7, 2, 20)
		head, err := b.Store.Head(ctx)
		require.NoError(t, err)
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		e := engine.New(b.Store, b.DB, engine.Options{Poll: 5 * time.Millisecond, Attempts: 3, Logger: quiet}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		if b.DB.Dialect == readdb.SQLite {
			// Empty the WAL, so that no write finds room in it.
			_, err := b.DB.SQL.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			require.NoError(t, err)
		}
		fs.Fill(t, 0)

		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		defer func() { cancel(); <-done }()
		time.Sleep(1500 * time.Millisecond) // Attempts (3) take 60 ms
		status := e.Statuses()[0]
		require.Less(t, status.Position, head.Position, "the full disk held the projection back")
		require.NoError(t, status.Stopped, "the projection waits for space; it does not stop")

		fs.Free(t)
		enginetest.WaitHead(t, e, b.Store)
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB), "caught up, as if the disk had never filled")
		var recorded string
		require.NoError(t, b.DB.SQL.QueryRowContext(ctx, `SELECT status FROM projection_checkpoints WHERE name = 'cases'`).Scan(&recorded))
		assert.Equal(t, "running", recorded)
	})
}
