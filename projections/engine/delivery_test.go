package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/commands/commandstest"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/postgres"
	"github.com/careledger/careledger/eventstore/postgres/pgtest"
	"github.com/careledger/careledger/projections"
	"github.com/careledger/careledger/projections/caseview"
	"github.com/careledger/careledger/projections/engine"
	"github.com/careledger/careledger/projections/engine/enginetest"
	"github.com/careledger/careledger/projections/readdb"
)

// process is what one careledger process holds: its own store (its own
// connection pool), its read-model handle and its delivery.
type process struct {
	store    *postgres.Store
	db       readdb.DB
	delivery *engine.PostgresDelivery
}

func startProcess(t *testing.T, url string) *process {
	ctx := context.Background()
	s, err := postgres.Open(ctx, url, eventstore.Options{SealKey: []byte("k")})
	require.NoError(t, err)
	d, err := engine.NewPostgresDelivery(ctx, s.Pool(), 10*time.Millisecond, nil)
	require.NoError(t, err)
	p := &process{store: s, db: readdb.DB{SQL: readdb.OpenPostgres(s.Pool()), Dialect: readdb.Postgres}, delivery: d}
	t.Cleanup(p.exit)
	return p
}

func (p *process) exit() {
	_ = p.delivery.Close()
	_ = p.db.SQL.Close()
	p.store.Close()
}

// running is an engine running in the background until stopped.
type running struct {
	engine *engine.Engine
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
func feeder(t *testing.T, p *process, ps ...engine.Projection) running {
	if len(ps) == 0 {
		ps = projections.All()
	}
	e := engine.New(p.store, p.db, engine.Options{Poll: 5 * time.Millisecond, Publisher: p.delivery.Publisher}, ps...)
	require.NoError(t, e.Migrate(context.Background()))
	return start(e, e.Feed)
}

// worker runs the projections named (all when none is) as a separate
// worker process does.
func worker(t *testing.T, p *process, ps ...engine.Projection) running {
	if len(ps) == 0 {
		ps = projections.All()
	}
	e := engine.New(p.store, p.db, engine.Options{Batch: 37, Subscriber: p.delivery.Subscriber}, ps...)
	require.NoError(t, e.Migrate(context.Background()))
	return start(e, e.Follow)
}

func start(e *engine.Engine, run func(context.Context) error) running {
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
	server := startProcess(t, url)
	feeding := feeder(t, server)
	defer feeding.stop(t)

	first := worker(t, startProcess(t, url))
	enginetest.WaitHead(t, first.engine, server.store)
	written := make(chan struct{})
	go func() {
		defer close(written)
		commandstest.Workload(t, server.store, enginetest.Now, 21, 4, 40)
	}()
	require.Eventually(t, func() bool {
		return first.engine.Statuses()[0].Position > 0
	}, 30*time.Second, time.Millisecond, "the worker applies what the server announces")
	first.stop(t) // the worker process dies while events are written
	<-written
	commandstest.Workload(t, server.store, enginetest.Now, 22, 2, 30) // and no worker runs

	var published int64
	require.NoError(t, server.db.SQL.QueryRow(`SELECT max("offset") FROM projection_notices`).Scan(&published))
	second, third := worker(t, startProcess(t, url)), worker(t, startProcess(t, url))
	defer second.stop(t)
	defer third.stop(t)
	require.Eventually(t, func() bool {
		var groups, behind int
		err := server.db.SQL.QueryRow(`SELECT count(*), count(*) FILTER (WHERE offset_acked < $1) FROM projection_notice_offsets`, published).Scan(&groups, &behind)
		return err == nil && groups == len(projections.All()) && behind == 0
	}, 30*time.Second, 10*time.Millisecond, "notices published while no worker ran are delivered to every projection")
	enginetest.WaitHead(t, second.engine, server.store)
	enginetest.WaitHead(t, third.engine, server.store)

	echo := feeder(t, startProcess(t, url)) // another server: every event is announced twice
	defer echo.stop(t)
	commandstest.Workload(t, server.store, enginetest.Now, 23, 4, 30) // reaches the caught-up workers only by notice
	enginetest.WaitHead(t, feeding.engine, server.store)              // the server sees the workers' checkpoints

	want := fromEvents(t, server.store)
	require.NotEmpty(t, want)
	assert.Equal(t, want, fromReadModel(t, server.db))

	applied := readModels(t, server.db, projections.All())
	assert.Equal(t, applied, fromScratch(t, server.store, server.db, projections.All(), time.Time{}), "the workers' read models equal a build from scratch")
}

// TestServerSeesAWorkerStopOnAnEvent: a projection that stops on an event
// in a worker process stops read-your-writes on the server, with the reason.
func TestServerSeesAWorkerStopOnAnEvent(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx := context.Background()
	server := startProcess(t, url)
	feeding := feeder(t, server, caseview.Projection{})
	defer feeding.stop(t)
	following := worker(t, startProcess(t, url), caseview.Projection{})
	defer following.stop(t)

	commandstest.Workload(t, server.store, enginetest.Now, 24, 1, 10)
	enginetest.WaitHead(t, feeding.engine, server.store)
	before, err := server.store.Head(ctx)
	require.NoError(t, err)
	appendPoison(t, server.store)
	after, err := server.store.Head(ctx)
	require.NoError(t, err)

	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err = feeding.engine.WaitFor(waitCtx, after.Position)
	require.ErrorIs(t, err, engine.ErrStopped)
	assert.ErrorContains(t, err, "case.from_the_future")
	assert.Equal(t, before.Position, feeding.engine.Statuses()[0].Position, "stopped just before the event")
}

// TestFollowAndFeedNeedTheirPubSub: an engine without a durable pub/sub
// neither feeds nor follows another process.
func TestFollowAndFeedNeedTheirPubSub(t *testing.T) {
	e := engine.New(nil, readdb.DB{Dialect: readdb.SQLite}, engine.Options{}, caseview.Projection{})
	assert.ErrorContains(t, e.Feed(context.Background()), "Publisher")
	assert.ErrorContains(t, e.Follow(context.Background()), "Subscriber")
}

// TestOldNoticesArePruned: a server deletes notices older than
// NoticesKept and keeps newer ones.
func TestOldNoticesArePruned(t *testing.T) {
	url := pgtest.NewDatabase(t)
	first := startProcess(t, url)
	feeding := feeder(t, first)
	require.Eventually(t, func() bool {
		var n int
		err := first.db.SQL.QueryRow(`SELECT count(*) FROM projection_notices`).Scan(&n)
		return err == nil && n > 0
	}, 10*time.Second, 10*time.Millisecond, "the server announces the head when it starts")
	feeding.stop(t)
	for _, age := range []time.Duration{engine.NoticesKept + time.Hour, engine.NoticesKept - time.Hour} {
		_, err := first.db.SQL.Exec(`INSERT INTO projection_notices (uuid, payload, transaction_id, created_at)
			VALUES ($1, '{"from":0,"to":0}', pg_current_xact_id(), CURRENT_TIMESTAMP - make_interval(secs => $2))`,
			age.String(), age.Seconds())
		require.NoError(t, err)
	}

	kept := func() []string {
		rows, err := first.db.SQL.Query(`SELECT uuid FROM projection_notices WHERE created_at < CURRENT_TIMESTAMP - interval '1 hour'`)
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
	assert.Equal(t, []string{(engine.NoticesKept - time.Hour).String()}, kept())
}
