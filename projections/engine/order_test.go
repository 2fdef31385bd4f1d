package engine_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/eventstore/sqlite"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/timeline"
)

// TestTransactionsCommittingOutOfOrderAreAllApplied: one writer's
// transaction is held open while another process's appends queue behind it
// and the engine polls. When the held transaction commits, the engine
// applies every event — the held one included — in log order, skipping
// none.
func TestTransactionsCommittingOutOfOrderAreAllApplied(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			inTx, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			hold := eventstore.Options{BeforeCommit: func(context.Context) { once.Do(func() { close(inTx); <-release }) }}
			var held, other eventstore.Store
			var db readdb.DB
			switch kind {
			case "sqlite":
				path := filepath.Join(t.TempDir(), "careledger.db")
				h, err := sqlite.Open(ctx, path, hold)
				require.NoError(t, err)
				o, err := sqlite.Open(ctx, path, eventstore.Options{})
				require.NoError(t, err)
				held, other = h, o
				sqlDB, err := readdb.OpenSQLite(path)
				require.NoError(t, err)
				db = readdb.DB{SQL: sqlDB, Dialect: readdb.SQLite}
			default:
				url := pgtest.NewDatabase(t)
				h, err := postgres.Open(ctx, url, hold)
				require.NoError(t, err)
				o, err := postgres.Open(ctx, url, eventstore.Options{})
				require.NoError(t, err)
				held, other = h, o
				db = readdb.DB{SQL: readdb.OpenPostgres(o.Pool()), Dialect: readdb.Postgres}
			}
			t.Cleanup(func() { db.SQL.Close(); held.Close(); other.Close() })

			e := engine.New(other, db, engine.Options{Poll: 2 * time.Millisecond}, timeline.Projection{})
			require.NoError(t, e.Migrate(ctx))
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() { _ = e.Run(runCtx) }()

			visit := func(i int) eventstore.NewEvent {
				data, _ := json.Marshal(domain.VisitRecorded{Findings: "走访", Concerns: []domain.Concern{}})
				return eventstore.NewEvent{Type: "child.visit_recorded", SchemaVersion: 1, Data: data, OccurredAt: enginetest.Now.Add(time.Duration(i) * time.Minute)}
			}
			heldDone := make(chan error, 1)
			go func() {
				_, err := held.Append(ctx, eventlog.StreamRef(domain.ChildStream("a")), eventstore.NoStream, visit(0))
				heldDone <- err
			}()
			<-inTx
			otherDone := make(chan error, 3)
			for i := range 3 {
				go func() {
					_, err := other.Append(ctx, eventlog.StreamRef(domain.ChildStream("b"+string(rune('0'+i)))), eventstore.NoStream, visit(i+1))
					otherDone <- err
				}()
			}
			time.Sleep(100 * time.Millisecond) // the engine polls meanwhile and must see nothing
			assert.Equal(t, int64(0), e.Statuses()[0].Position)
			close(release)
			require.NoError(t, <-heldDone)
			for range 3 {
				require.NoError(t, <-otherDone)
			}
			waitCtx, waitCancel := context.WithTimeout(ctx, 20*time.Second)
			defer waitCancel()
			require.NoError(t, e.WaitFor(waitCtx, 4))
			var rows int
			require.NoError(t, db.SQL.QueryRow(`SELECT count(*) FROM rm_timeline`).Scan(&rows))
			assert.Equal(t, 4, rows, "every event applied, the held one included")
			var first string
			require.NoError(t, db.SQL.QueryRow(`SELECT stream_id FROM rm_timeline WHERE global_position = 1`).Scan(&first))
			assert.Equal(t, "child-a", first, "the held transaction kept its place in the log")
		})
	}
}
