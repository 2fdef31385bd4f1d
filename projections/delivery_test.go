package projections_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/projections"
)

// process is what one careledger process holds: its own store (its own
// connection pool), its read-model handle and its delivery.
type process struct {
	store    *postgres.Store
	db       *sql.DB
	delivery *projections.PostgresDelivery
}

func startProcess(t *testing.T, url string) *process {
	ctx := context.Background()
	s, err := postgres.Open(ctx, url, eventstore.Options{SealKey: []byte("k")})
	require.NoError(t, err)
	d, err := projections.NewPostgresDelivery(ctx, s.Pool(), 10*time.Millisecond, nil)
	require.NoError(t, err)
	p := &process{store: s, db: projections.OpenPostgres(s.Pool()), delivery: d}
	t.Cleanup(p.exit)
	return p
}

func (p *process) exit() {
	_ = p.delivery.Close()
	_ = p.db.Close()
	p.store.Close()
}

// running is an engine running in the background until stopped.
type running struct {
	engine *projections.Engine
	cancel context.CancelFunc
	done   chan error
}

func (r running) stop(t *testing.T) {
	r.cancel()
	select {
	case err := <-r.done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("the engine did not stop")
	}
}

// feeder runs a server that announces new events and applies nothing; it
// keeps the projections named (all when none is) in view.
func feeder(t *testing.T, p *process, ps ...projections.Projection) running {
	if len(ps) == 0 {
		ps = projections.All(p.store)
	}
	e := projections.New(p.store, p.db, projections.Postgres,
		projections.Options{Poll: 5 * time.Millisecond, Publisher: p.delivery.Publisher}, ps...)
	require.NoError(t, e.Migrate(context.Background()))
	return start(e, e.Feed)
}

// worker runs the projections named (all when none is) as a separate
// worker process does.
func worker(t *testing.T, p *process, ps ...projections.Projection) running {
	if len(ps) == 0 {
		ps = projections.All(p.store)
	}
	e := projections.New(p.store, p.db, projections.Postgres,
		projections.Options{Batch: 37, Subscriber: p.delivery.Subscriber}, ps...)
	require.NoError(t, e.Migrate(context.Background()))
	return start(e, e.Follow)
}

func start(e *projections.Engine, run func(context.Context) error) running {
	ctx, cancel := context.WithCancel(context.Background())
	r := running{engine: e, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- run(ctx) }()
	return r
}

// TestWorkersInOtherProcessesApplyWhatTheServerAnnounces: a server feeds
// notices through PostgreSQL; projection workers in other processes
// apply them. Events written after a worker caught up reach it only by
// notice. A worker stopped while events are written, and events written
// while no worker runs, are made good by the next one; two servers
// announcing every event twice and two workers of the same projections
// side by side double nothing. The read models then equal the fold of the
// events and a build from scratch.
func TestWorkersInOtherProcessesApplyWhatTheServerAnnounces(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	server := startProcess(t, url)
	feeding := feeder(t, server)
	defer feeding.stop(t)

	first := worker(t, startProcess(t, url))
	waitCaughtUp(t, first.engine, server.store)
	written := make(chan struct{})
	go func() {
		defer close(written)
		workload(t, server.store, 21, 4, 40)
	}()
	require.Eventually(t, func() bool {
		return first.engine.Statuses()[0].Position > 0
	}, 30*time.Second, time.Millisecond, "the worker applies what the server announces")
	first.stop(t) // the worker process dies while events are written
	<-written
	workload(t, server.store, 22, 2, 30) // and no worker runs

	var published int64
	require.NoError(t, server.db.QueryRow(`SELECT max("offset") FROM projection_notices`).Scan(&published))
	second, third := worker(t, startProcess(t, url)), worker(t, startProcess(t, url))
	defer second.stop(t)
	defer third.stop(t)
	require.Eventually(t, func() bool {
		var groups, behind int
		err := server.db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE offset_acked < $1) FROM projection_notice_offsets`, published).Scan(&groups, &behind)
		return err == nil && groups == len(projections.All(nil)) && behind == 0
	}, 30*time.Second, 10*time.Millisecond, "notices published while no worker ran are delivered to every projection")
	waitCaughtUp(t, second.engine, server.store)
	waitCaughtUp(t, third.engine, server.store)

	echo := feeder(t, startProcess(t, url)) // another server: every event is announced twice
	defer echo.stop(t)
	workload(t, server.store, 23, 4, 30)          // reaches the caught-up workers only by notice
	waitCaughtUp(t, feeding.engine, server.store) // the server sees the workers' checkpoints

	want := fromEvents(t, server.store)
	require.NotEmpty(t, want)
	assert.Equal(t, want, fromReadModel(t, server.db))

	applied := readModels(t, server.db)
	for _, table := range append(tablesOf(server.store), "projection_checkpoints") {
		_, err := server.db.Exec(`DELETE FROM ` + table)
		require.NoError(t, err)
	}
	scratch := projections.New(server.store, server.db, projections.Postgres, projections.Options{}, projections.All(server.store)...)
	require.NoError(t, scratch.Migrate(ctx))
	require.NoError(t, scratch.CatchUp(ctx))
	assert.Equal(t, readModels(t, server.db), applied, "the workers' read models equal a build from scratch")
}

// TestServerSeesAWorkerStopOnAnEvent: a projection that stops on an event
// in a worker process stops read-your-writes on the server, with the reason.
func TestServerSeesAWorkerStopOnAnEvent(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	server := startProcess(t, url)
	feeding := feeder(t, server, projections.Cases{})
	defer feeding.stop(t)
	following := worker(t, startProcess(t, url), projections.Cases{})
	defer following.stop(t)

	workload(t, server.store, 24, 1, 10)
	waitCaughtUp(t, feeding.engine, server.store)
	before, err := server.store.Head(ctx)
	require.NoError(t, err)
	_, err = server.store.Append(ctx, eventstore.StreamRef{ID: "case-poison", Type: domain.StreamCase}, eventstore.NoStream,
		eventstore.NewEvent{Type: "case.from_the_future", SchemaVersion: 1, Data: json.RawMessage(`{}`), OccurredAt: now})
	require.NoError(t, err)
	after, err := server.store.Head(ctx)
	require.NoError(t, err)

	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = feeding.engine.WaitFor(waitCtx, after.Position)
	require.ErrorIs(t, err, projections.ErrStopped)
	assert.ErrorContains(t, err, "case.from_the_future")
	assert.Equal(t, before.Position, feeding.engine.Statuses()[0].Position, "stopped just before the event")
}

// TestFollowAndFeedNeedTheirPubSub: an engine without a durable pub/sub
// neither feeds nor follows another process.
func TestFollowAndFeedNeedTheirPubSub(t *testing.T) {
	e := projections.New(nil, nil, projections.SQLite, projections.Options{}, projections.Cases{})
	assert.ErrorContains(t, e.Feed(context.Background()), "Publisher")
	assert.ErrorContains(t, e.Follow(context.Background()), "Subscriber")
}

// waitCaughtUp waits until the engine tells that every projection has
// applied the log up to its head.
func waitCaughtUp(t *testing.T, e *projections.Engine, store eventstore.Store) {
	t.Helper()
	head, err := store.Head(context.Background())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	require.NoError(t, e.WaitFor(ctx, head.Position))
}

func tablesOf(log projections.StreamReader) []string {
	var tables []string
	for _, p := range projections.All(log) {
		tables = append(tables, p.Tables()...)
	}
	return tables
}

// readModels is every row of every read model and of the checkpoints, as
// JSON, sorted per table.
func readModels(t *testing.T, db *sql.DB) map[string][]string {
	out := map[string][]string{}
	for _, table := range append(tablesOf(nil), "projection_checkpoints") {
		rows, err := db.Query(`SELECT row_to_json(r)::text FROM ` + table + ` r`)
		require.NoError(t, err)
		var all []string
		for rows.Next() {
			var row string
			require.NoError(t, rows.Scan(&row))
			all = append(all, row)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		sort.Strings(all)
		out[table] = all
	}
	return out
}

// TestOldNoticesArePruned: a server deletes notices older than
// NoticesKept and keeps newer ones.
func TestOldNoticesArePruned(t *testing.T) {
	url := pgtest.NewDatabase(t)
	first := startProcess(t, url)
	feeding := feeder(t, first)
	require.Eventually(t, func() bool {
		var n int
		err := first.db.QueryRow(`SELECT count(*) FROM projection_notices`).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 10*time.Millisecond, "the server announces the head when it starts")
	feeding.stop(t)
	for _, age := range []time.Duration{projections.NoticesKept + time.Hour, projections.NoticesKept - time.Hour} {
		_, err := first.db.Exec(`INSERT INTO projection_notices (uuid, payload, transaction_id, created_at)
			VALUES ($1, '{"from":0,"to":0}', pg_current_xact_id(), CURRENT_TIMESTAMP - make_interval(secs => $2))`,
			age.String(), age.Seconds())
		require.NoError(t, err)
	}

	kept := func() []string {
		rows, err := first.db.Query(`SELECT uuid FROM projection_notices WHERE created_at < CURRENT_TIMESTAMP - interval '1 hour'`)
		if err != nil {
			return nil
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil {
				out = append(out, id)
			}
		}
		return out
	}
	require.Len(t, kept(), 2)

	restarted := feeder(t, startProcess(t, url))
	defer restarted.stop(t)
	assert.Eventually(t, func() bool { return len(kept()) == 1 }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, []string{(projections.NoticesKept - time.Hour).String()}, kept())
}
