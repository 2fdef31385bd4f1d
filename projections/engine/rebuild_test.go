package engine_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/commands/synth"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// schemaOf describes the read models' tables and indexes: names, columns
// and index definitions, as the database reports them.
func schemaOf(t *testing.T, b enginetest.Backend) []string {
	var out []string
	collect := func(q string, args ...any) {
		rows, err := b.DB.SQL.Query(q, args...)
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
	if b.DB.Dialect == readdb.Postgres {
		collect(`SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default
			FROM information_schema.columns WHERE table_schema = current_schema() AND table_name LIKE 'rm\_%'`)
		collect(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename LIKE 'rm\_%'`)
		collect(`SELECT conname, contype FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
			WHERE n.nspname = current_schema() AND conname LIKE 'rm\_%'`)
	} else {
		var tables []string
		rows, err := b.DB.SQL.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'rm\_%' ESCAPE '\'`)
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
func shadowsLeft(t *testing.T, b enginetest.Backend) int {
	q := `SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\_\_shadow%' ESCAPE '\'`
	if b.DB.Dialect == readdb.Postgres {
		q = `SELECT count(*) FROM pg_class WHERE relname LIKE '%\_\_shadow%'`
	}
	var n int
	require.NoError(t, b.DB.SQL.QueryRow(q).Scan(&n))
	return n
}

// historyColumns are columns that number a read model's own history rather
// than derive from the log: the deadline view's opened_seq (the order in
// which obligations became known, which depends on how the log was
// batched) and its generation row, which a rebuild starts afresh by design.
// readModels leaves them out.
var historyColumns = map[string]bool{"opened_seq": true, "generation": true, "next_seq": true}

// readModels is every row of the projections' tables and of their
// checkpoints, each row spelled as its columns and values (but
// historyColumns), sorted per table.
func readModels(t *testing.T, db readdb.DB, ps []engine.Projection) map[string][]string {
	out := map[string][]string{}
	names := make([]any, len(ps))
	var tables []string
	for i, p := range ps {
		names[i] = p.Name()
		tables = append(tables, p.Tables()...)
	}
	in, _ := readdb.InList(names)
	dump := func(table, q string, args ...any) {
		rows, err := db.SQL.Query(q, args...)
		require.NoError(t, err)
		defer rows.Close()
		cols, err := rows.Columns()
		require.NoError(t, err)
		all := []string{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			var row strings.Builder
			for i, v := range vals {
				if historyColumns[cols[i]] {
					continue
				}
				switch x := v.(type) {
				case []byte:
					v = string(x)
				case time.Time:
					v = x.UTC().Format(time.RFC3339Nano)
				}
				fmt.Fprintf(&row, "%s=%v|", cols[i], v)
			}
			all = append(all, row.String())
		}
		require.NoError(t, rows.Err())
		sort.Strings(all)
		out[table] = all
	}
	for _, table := range tables {
		dump(table, `SELECT * FROM `+table)
	}
	dump("projection_checkpoints", `SELECT * FROM projection_checkpoints WHERE name IN (`+in+`)`, names...)
	return out
}

// fromScratch empties the projections' tables and checkpoints, builds them
// again from the whole log in one engine that ticks them at tick (unless it
// is zero), and gives their rows as readModels does.
func fromScratch(t *testing.T, log engine.Log, db readdb.DB, ps []engine.Projection, tick time.Time) map[string][]string {
	ctx := context.Background()
	for _, p := range ps {
		for _, table := range p.Tables() {
			_, err := db.SQL.Exec(`DELETE FROM ` + table)
			require.NoError(t, err)
		}
		_, err := db.SQL.Exec(`DELETE FROM projection_checkpoints WHERE name = $1`, p.Name())
		require.NoError(t, err)
	}
	e := engine.New(log, db, engine.Options{}, ps...)
	require.NoError(t, e.Migrate(ctx))
	require.NoError(t, e.CatchUp(ctx))
	if !tick.IsZero() {
		require.NoError(t, e.Tick(ctx, tick))
	}
	return readModels(t, db, ps)
}

// county writes a synthetic county — a year of children, workers, cases,
// visits and referrals — and then a change of the deadline policy, so that
// every read model has rows of every kind.
func county(t *testing.T, store eventstore.Store) {
	ctx := context.Background()
	_, err := synth.Make(ctx, store, synth.County{Seed: 41, Children: 12}, nil)
	require.NoError(t, err)
	h := commands.New(store, commands.WithClock(func() time.Time { return enginetest.Now.Add(-30 * 24 * time.Hour) }))
	admin := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "admin", Role: domain.RoleAdmin, Jurisdiction: domain.All}}}
	p := domain.DefaultPolicy()
	p.FirstResponse = domain.RiskDurations{High: domain.Hours(12), Medium: domain.Hours(48), Low: domain.Days(3)}
	p.Assessment = domain.Days(3)
	p.KeyChildVisit = domain.Days(14)
	_, err = h.ChangePolicy(ctx, admin, commands.ChangePolicy{Policy: p})
	require.NoError(t, err)
	// An inquiry (倒查) into the first case.
	streams := slices.Sorted(maps.Keys(commandstest.Streams(t, store, domain.StreamCase)))
	require.NotEmpty(t, streams)
	first, err := domain.ParseStreamID(streams[0])
	require.NoError(t, err)
	inspector := commands.Call{Principal: domain.Principal{Actor: domain.Actor{Subject: "insp-1", Role: domain.RoleInspector, Jurisdiction: domain.All}}}
	_, err = h.OpenInquiry(ctx, inspector, commands.OpenInquiry{CaseID: first.ID(), IncidentAt: enginetest.Now.Add(-31 * 24 * time.Hour), Reason: "倒查"})
	require.NoError(t, err)
	// Two provincial platforms' webhooks, one of them removed.
	_, err = h.RegisterWebhook(ctx, admin, commands.RegisterWebhook{URL: "https://platform.example/a",
		Jurisdiction: commandstest.Must(domain.ParseJurisdiction("370902")), Kinds: []string{domain.NoticeMissed}})
	require.NoError(t, err)
	gone, err := h.RegisterWebhook(ctx, admin, commands.RegisterWebhook{URL: "https://sms.example/b",
		Jurisdiction: commandstest.Must(domain.ParseJurisdiction("37")), Kinds: []string{domain.NoticeOpened}})
	require.NoError(t, err)
	_, err = h.RemoveWebhook(ctx, admin, commands.RemoveWebhook{WebhookID: gone.ID})
	require.NoError(t, err)
}

// TestRebuildWhileServing: while writers keep appending and the engine
// follows the log, every read model is rebuilt into shadow tables and
// swapped in. Queries answer throughout and never see a read model shrink;
// afterwards the case view equals its oracle with the tampered row put
// right, every read model equals a build from scratch (each read model's
// own tests hold that to its oracle), and the schema is what Migrate makes,
// with no shadow left.
func TestRebuildWhileServing(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		ps := projections.All()
		e := engine.New(b.Store, b.DB, engine.Options{Batch: 23, Poll: 5 * time.Millisecond, RebuildBatch: 40}, ps...)
		require.NoError(t, e.Migrate(ctx))
		schema := schemaOf(t, b)
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- e.Run(runCtx) }()
		stopped := false
		stopEngine := func() {
			if !stopped {
				stopped = true
				cancel()
				require.NoError(t, <-done)
			}
		}
		defer stopEngine()
		county(t, b.Store)
		commandstest.Workload(t, b.Store, enginetest.Now, 42, 2, 20)
		enginetest.WaitHead(t, e, b.Store)
		_, err := b.DB.SQL.Exec(`UPDATE rm_cases SET risk = 'tampered'`)
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
				commandstest.Workload(t, b.Store, enginetest.Now, 100+i, 1, 6)
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
				err := b.DB.SQL.QueryRow(`SELECT count(*) FROM rm_timeline`).Scan(&r.timeline)
				if err == nil {
					err = b.DB.SQL.QueryRow(`SELECT count(*) FROM rm_cases`).Scan(&r.cases)
				}
				if err == nil {
					var rows []deadlines.Row
					rows, err = deadlines.Query(ctx, b.DB, deadlines.Filter{Limit: 1000, Now: enginetest.Now})
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

		enginetest.WaitHead(t, e, b.Store)
		for _, s := range e.Statuses() {
			assert.NoError(t, s.Stopped, s.Name)
		}
		// The clock's changes come with the next tick, not with the rebuild.
		require.NoError(t, e.Tick(ctx, enginetest.Now))
		stopEngine()
		assert.Equal(t, fromEvents(t, b.Store), fromReadModel(t, b.DB), "case view")
		assert.Equal(t, schema, schemaOf(t, b), "the swapped-in tables have the schema Migrate makes")
		assert.Zero(t, shadowsLeft(t, b), "no shadow table or index is left")
		rebuilt := readModels(t, b.DB, ps)
		for _, p := range ps {
			for _, table := range p.Tables() {
				assert.NotEmpty(t, rebuilt[table], "%s has rows", table)
			}
		}
		scratch := fromScratch(t, b.Store, b.DB, ps, enginetest.Now)
		for table, rows := range scratch {
			assert.Equal(t, rows, rebuilt[table], "%s equals a build from scratch", table)
		}
	})
}

// TestRebuildInOnePage: a rebuild of the whole log in one page, as a
// server's start rebuilds (on PostgreSQL its rows then go in by COPY, in
// the page's transactions: readdb.Copier), builds every read model as a
// catch-up event by event does.
func TestRebuildInOnePage(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		ps := projections.All()
		e := engine.New(b.Store, b.DB, engine.Options{RebuildBatch: 100000}, ps...)
		require.NoError(t, e.Migrate(ctx))
		county(t, b.Store)
		// Enough cases that a page has more new streams than
		// readdb.CopyAtLeast: their snapshots are copied too.
		commandstest.Workload(t, b.Store, enginetest.Now, 42, 8, 60)
		caughtUp := fromScratch(t, b.Store, b.DB, ps, time.Time{})
		_, err := b.DB.SQL.Exec(`UPDATE rm_cases SET risk = 'tampered'`)
		require.NoError(t, err)

		require.NoError(t, e.Rebuild(ctx, nil))
		rebuilt := readModels(t, b.DB, ps)
		for _, p := range ps {
			for _, table := range p.Tables() {
				assert.Equal(t, caughtUp[table], rebuilt[table], "%s equals a catch-up's", table)
			}
		}
		assert.Equal(t, caughtUp["projection_checkpoints"], rebuilt["projection_checkpoints"])
	})
}

// TestFailedRebuildLeavesTheLiveTables: a rebuild that meets an event it
// cannot apply reports it, and the live read model is left as it was, with
// no shadow table behind.
func TestFailedRebuildLeavesTheLiveTables(t *testing.T) {
	enginetest.Backends(t, func(t *testing.T, b enginetest.Backend) {
		ctx := context.Background()
		commandstest.Workload(t, b.Store, enginetest.Now, 51, 2, 15)
		e := engine.New(b.Store, b.DB, engine.Options{RebuildBatch: 10}, caseview.Projection{})
		require.NoError(t, e.Migrate(ctx))
		require.NoError(t, e.CatchUp(ctx))
		before := fromReadModel(t, b.DB)
		require.NotEmpty(t, before)
		appendPoison(t, b.Store)

		err := e.Rebuild(ctx, nil)
		assert.ErrorContains(t, err, "case.from_the_future")
		assert.Equal(t, before, fromReadModel(t, b.DB))
		assert.Zero(t, shadowsLeft(t, b), "no shadow table is left")
	})
}
