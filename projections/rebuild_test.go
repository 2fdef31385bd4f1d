package projections_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
)

// schemaOf describes the read models' tables and indexes: names, columns
// and index definitions, as the database reports them.
func schemaOf(t *testing.T, b backend) []string {
	var out []string
	collect := func(q string, args ...any) {
		rows, err := b.db.Query(q, args...)
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			line := fmt.Sprint(args...)
			for _, v := range vals {
				line += "|" + v.String
			}
			out = append(out, line)
		}
		require.NoError(t, rows.Err())
	}
	if b.dialect == projections.Postgres {
		collect(`SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'rm\_%'`)
		collect(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'rm\_%'`)
		collect(`SELECT conname, contype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
			WHERE n.nspname = current_schema() AND conname LIKE 'rm\_%'`)
	} else {
		var tables []string
		rows, err := b.db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'rm\_%' ESCAPE '\'`)
		require.NoError(t, err)
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			tables = append(tables, n)
		}
		require.NoError(t, rows.Close())
		for _, n := range tables {
			collect(`SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info($1)`, n)
		}
		collect(`SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name LIKE 'rm\_%' ESCAPE '\'`)
	}
	sort.Strings(out)
	return out
}

// shadowsLeft counts the tables and indexes named as a rebuild's shadows.
func shadowsLeft(t *testing.T, b backend) int {
	q := `SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\_\_shadow%' ESCAPE '\'`
	if b.dialect == projections.Postgres {
		q = `SELECT count(*) FROM pg_class WHERE relname LIKE '%\_\_shadow%'`
	}
	var n int
	require.NoError(t, b.db.QueryRow(q).Scan(&n))
	return n
}

// TestRebuildWhileServing: while writers keep appending and the engine
// follows the log, every read model is rebuilt into shadow tables and
// swapped in. Queries answer throughout and never see a read model shrink;
// afterwards each read model equals its oracle, the tampered row is put
// right, and the schema is what Migrate makes, with no shadow left.
func TestRebuildWhileServing(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		e := projections.New(b.store, b.db, b.dialect, projections.Options{Batch: 23, Poll: 5 * time.Millisecond, RebuildBatch: 40},
			projections.All(b.store)...)
		require.NoError(t, e.Migrate(ctx))
		schema := schemaOf(t, b)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		defer func() {
			cancel()
			<-done
		}()
		clockWorkload(t, b.store, 41)
		childWorkload(t, b.store)
		workload(t, b.store, 42, 2, 20)
		waitHead(t, e, b.store)
		_, err := b.db.Exec(`UPDATE rm_cases SET risk = 'tampered'`)
		require.NoError(t, err)

		stop := make(chan struct{})
		var background sync.WaitGroup
		background.Go(func() { // writers keep working through the rebuild
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				workload(t, b.store, 100+i, 1, 6)
			}
		})
		type reading struct {
			timeline, cases, deadlines int
		}
		var (
			readings   []reading
			readErrors []error
		)
		background.Go(func() { // readers keep asking
			for {
				select {
				case <-stop:
					return
				default:
				}
				var r reading
				err := b.db.QueryRow(`SELECT count(*) FROM rm_timeline`).Scan(&r.timeline)
				if err == nil {
					err = b.db.QueryRow(`SELECT count(*) FROM rm_cases`).Scan(&r.cases)
				}
				if err == nil {
					var rows []projections.DeadlineRow
					rows, err = projections.QueryDeadlines(ctx, b.db, b.dialect, projections.DeadlineFilter{Limit: 1000, Now: now})
					r.deadlines = len(rows)
				}
				if err != nil {
					readErrors = append(readErrors, err)
				}
				readings = append(readings, r)
				time.Sleep(time.Millisecond)
			}
		})

		var calls int
		rebuildErr := e.Rebuild(ctx, func(done, total int64) { calls++ })
		close(stop)
		background.Wait()
		require.NoError(t, rebuildErr)
		assert.Greater(t, calls, 1, "progress is reported page by page")
		assert.Empty(t, readErrors, "queries answer during the rebuild")
		require.NotEmpty(t, readings)
		for i, r := range readings {
			assert.Positive(t, r.timeline, "reading %d", i)
			assert.Positive(t, r.deadlines, "reading %d", i)
			if i > 0 {
				assert.GreaterOrEqual(t, r.timeline, readings[i-1].timeline, "reading %d: the timeline never shrinks", i)
				assert.GreaterOrEqual(t, r.cases, readings[i-1].cases, "reading %d: the case view never shrinks", i)
			}
		}

		waitHead(t, e, b.store)
		assert.Equal(t, fromEvents(t, b.store), fromReadModel(t, b.db), "case view")
		assert.Equal(t, childrenFromEvents(t, b.store), childrenFromReadModel(t, b.db), "child view")
		assert.Equal(t, deadlinesFromEvents(t, b.store), deadlinesFromReadModel(t, b), "deadline view")
		o := newTimelineOracle(t, b.store)
		for caseID := range o.cases {
			got, err := projections.CaseTimeline(ctx, b.db, caseID, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, o.caseTimeline(caseID, time.Time{}), withoutSummaries(t, got), "timeline of case %s", caseID)
		}
		for _, g := range []string{"jurisdiction", "concern", "risk"} {
			got, err := projections.CaseStats(ctx, b.db, b.dialect, g, time.Time{}, time.Time{}, "")
			require.NoError(t, err)
			assert.Equal(t, statsFromCases(foldCases(t, b.store), g, time.Time{}, time.Time{}, ""), got, "statistics by %s", g)
		}
		assert.Equal(t, schema, schemaOf(t, b), "the swapped-in tables have the schema Migrate makes")
		assert.Zero(t, shadowsLeft(t, b), "no shadow table or index is left")
		for _, s := range e.Statuses() {
			assert.NoError(t, s.Stopped, s.Name)
		}
	})
}

// TestFailedRebuildLeavesTheLiveTables: a rebuild that meets an event it
// cannot apply reports it, and the live read model is left as it was, with
// no shadow table behind.
func TestFailedRebuildLeavesTheLiveTables(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		workload(t, b.store, 51, 2, 15)
		e := projections.New(b.store, b.db, b.dialect, projections.Options{RebuildBatch: 10}, projections.Cases{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		before := fromReadModel(t, b.db)
		require.NotEmpty(t, before)
		_, err := b.store.Append(ctx, eventstore.StreamRef{ID: "case-poison", Type: domain.StreamCase}, eventstore.NoStream,
			eventstore.NewEvent{Type: "case.from_the_future", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: now})
		require.NoError(t, err)

		err = e.Rebuild(ctx, nil)
		assert.ErrorContains(t, err, "case.from_the_future")
		assert.Equal(t, before, fromReadModel(t, b.db))
		assert.Zero(t, shadowsLeft(t, b), "no shadow table is left")
	})
}
