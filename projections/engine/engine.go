package engine

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/projections/readdb"
)

// Log is what the engine needs of the event store.
type Log interface {
	ReadLog(ctx context.Context, afterPosition int64, limit int) ([]eventstore.Event, error)
	Head(ctx context.Context) (eventstore.Anchor, error)
}

// Options tune the engine. The zero value is ready to use.
type Options struct {
	// Batch is how many events one transaction applies (default 500).
	Batch int
	// RebuildBatch is how many events one transaction of a rebuild applies
	// (default 20 000).
	RebuildBatch int
	// RebuildBehind: Run first rebuilds the projections at least this many
	// events (and a quarter of the log) behind the head, rather than
	// catching them up event by event (default DefaultRebuildBehind; a
	// negative value never does).
	RebuildBehind int64
	// Poll is how often the feeder looks for new events (default 50 ms);
	// on SQLite a WaitFor that has to wait wakes it at once. Waking it
	// after each command instead was measured (2026-12-06): the projections then
	// applied an event or two a page, and commands fell by 25 % (SQLite)
	// to 45 % (PostgreSQL, ten transactions a page) under 8 writers and 8
	// readers. Waking it for waiting reads cost commands as much then, on
	// SQLite, when each page's transaction held the log's write lock; with
	// the read models in a file of their own (2026-12-07, 8 + 8 at 997,103
	// events, one run each): commands 416 → 380/s, queries 22,705 → 33,447
	// in 30 s, query p99 101 → 63 ms (the own case's 122 → 86 ms). On
	// PostgreSQL, where each projection commits its own transaction a
	// page, the same wake cost commands again (the session's first build
	// against one with the wake, alternated: 365, 491 → 325, 307/s;
	// queries 16,765, 20,302 → 22,628, 19,303): there the feeder polls.
	Poll time.Duration
	// Attempts bounds how often a failing batch is tried before the
	// projection stops (default 5).
	Attempts int
	// Logger receives the engine's structured logs (default slog.Default()).
	Logger *slog.Logger

	// Publisher and Subscriber carry notices of new events from the feeder
	// to the projections. Unset, the engine makes one in-process watermill
	// GoChannel for both, and the projections take the events the feeder
	// decoded (recent.go).
	// Set — a durable pub/sub such as PostgresDelivery, for projection
	// workers in other processes — a notice carries only the positions of
	// new events, and each projection reads the events from the log.
	// Publisher serves Feed; Subscriber serves Follow, giving each
	// projection its own subscription (its own consumer group), which the
	// engine closes when the projection stops following. The caller closes
	// the Publisher.
	Publisher  message.Publisher
	Subscriber func(projection string) (message.Subscriber, error)
}

// Engine runs projections against one read-model database.
type Engine struct {
	log         Log
	db          *sql.DB
	dialect     readdb.Dialect
	codec       *eventlog.Codec
	projections []Projection
	opts        Options
	inProcess   *gochannel.GoChannel // nil when a durable pub/sub delivers
	// recent is what the in-process feeder decoded last, shared by the
	// projections (see recent.go).
	recent recent

	// turns holds, per projection name, a *sync.Mutex that each of its
	// transactions takes: a rebuild's swap holds the follower off with it.
	turns sync.Map

	mu      sync.Mutex
	applied map[string]int64 // checkpoint per projection, as last committed
	stopped map[string]error
	// waiting are the WaitFor calls waiting, woken when what they wait
	// for is applied (waiters.go).
	waiting []*waiter
	woken   int64 // waiters woken, for tests
	// wake asks the feeder to look for new events now rather than at its
	// next poll (WaitFor sends, without blocking).
	wake chan struct{}

	started     chan struct{} // closed when the projections begin following
	startedOnce sync.Once
}

// topic is the watermill topic pages of new events are published on.
const topic = "careledger.events"

// New makes an engine over the read-model database. Migrate must run
// before Run or CatchUp.
func New(log Log, db readdb.DB, opts Options, projections ...Projection) *Engine {
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	if opts.Poll <= 0 {
		opts.Poll = 50 * time.Millisecond
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 5
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	e := &Engine{
		log: log, db: db.SQL, dialect: db.Dialect, codec: eventlog.New(), projections: projections, opts: opts,
		applied: map[string]int64{},
		stopped: map[string]error{},
		wake:    make(chan struct{}, 1),
		started: make(chan struct{}),
	}
	if opts.Publisher == nil && opts.Subscriber == nil {
		e.inProcess = gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64}, watermill.NopLogger{})
		e.opts.Publisher = e.inProcess
		e.opts.Subscriber = func(string) (message.Subscriber, error) { return shared{e.inProcess}, nil }
	}
	return e
}

// Started is closed once the projections follow the log: after Run has
// rebuilt those far behind at its start (or found none), or when Follow
// begins. A Tick before then would work on tables a rebuild replaces.
func (e *Engine) Started() <-chan struct{} { return e.started }

// shared is the one in-process GoChannel as one projection's subscriber:
// closing it is left to Run.
type shared struct{ message.Subscriber }

func (shared) Close() error { return nil }

// Migrate creates the checkpoint table and every projection's tables. A
// projection whose schema is not the one its tables were made with (this
// build changed the read model) has its tables dropped and made again, and
// its checkpoint reset, so that it is rebuilt from the start of the log as
// the engine catches up. Every process of one deployment must run the same
// build.
func (e *Engine) Migrate(ctx context.Context) error {
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate read models: %w", err)
	}
	defer tx.Rollback()
	if e.dialect == readdb.Postgres {
		// A server and its projection workers that start together migrate
		// one after the other.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, readdb.SchemaLock); err != nil {
			return fmt.Errorf("migrate read models: %w", err)
		}
	}
	if err := migrateCheckpoints(ctx, tx, e.dialect); err != nil {
		return fmt.Errorf("migrate read models: %w", err)
	}
	for _, p := range e.projections {
		if err := e.migrate(ctx, tx, p); err != nil {
			return fmt.Errorf("migrate read model %s: %w", p.Name(), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate read models: %w", err)
	}
	for _, p := range e.projections {
		pos, err := checkpoint(ctx, e.db, p.Name())
		if err != nil {
			return err
		}
		e.mark(p.Name(), pos)
	}
	return nil
}

// migrate makes one projection's tables, first dropping those of another
// schema.
func (e *Engine) migrate(ctx context.Context, tx *sql.Tx, p Projection) error {
	want := schemaHash(p)
	var have sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT schema FROM projection_checkpoints WHERE name = $1`, p.Name()).Scan(&have)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if found && have.String == want {
		return nil
	}
	// Another schema, or tables no checkpoint vouches for: made anew, and
	// built from the start of the log.
	if found {
		e.opts.Logger.Warn("projections: the read model's schema changed; it is rebuilt from the start of the log",
			"projection", p.Name())
	}
	for _, table := range p.Tables() {
		if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
			return err
		}
	}
	for _, stmt := range p.Schema() {
		if _, err := tx.ExecContext(ctx, e.dialect.DDL(stmt)); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO projection_checkpoints (name, position, status, error, schema) VALUES ($1, 0, 'running', NULL, $2)
		ON CONFLICT (name) DO UPDATE SET position = 0, status = 'running', error = NULL, schema = excluded.schema`, p.Name(), want)
	return err
}

// schemaHash names a projection's schema: its DDL, hashed.
func schemaHash(p Projection) string {
	h := sha256.New()
	for _, stmt := range p.Schema() {
		h.Write([]byte(stmt))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func (e *Engine) stop(ctx context.Context, p Projection, cause error) {
	if ctx.Err() != nil {
		return
	}
	e.opts.Logger.Error("projection stopped: an event could not be applied; fix and rebuild",
		"projection", p.Name(), "checkpoint", e.position(p.Name()), "error", cause)
	// Record the stop first, so whoever WaitFor wakes can read it.
	if err := saveStopped(context.WithoutCancel(ctx), e.db, p.Name(), e.position(p.Name()), cause); err != nil {
		e.opts.Logger.Error("projections: record stop", "projection", p.Name(), "error", err)
	}
	e.mu.Lock()
	e.stopped[p.Name()] = cause
	e.advancedLocked()
	e.mu.Unlock()
}

func (e *Engine) mark(name string, pos int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applied[name] = pos
	e.advancedLocked()
}

// Position is how far the projection name has applied the log (0 for a
// name the engine does not run).
func (e *Engine) Position(name string) int64 { return e.position(name) }

func (e *Engine) position(name string) int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.applied[name]
}

// Status is where a projection stands.
type Status struct {
	Name     string
	Position int64
	Stopped  error // why it stopped; nil while it runs
}

// Statuses reports every projection's checkpoint and whether it stopped.
func (e *Engine) Statuses() []Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Status, 0, len(e.projections))
	for _, p := range e.projections {
		out = append(out, Status{Name: p.Name(), Position: e.applied[p.Name()], Stopped: e.stopped[p.Name()]})
	}
	return out
}

// ErrStopped: a projection waited for has stopped on an event.
var ErrStopped = errors.New("projection stopped")

// Reached reports whether every projection has applied the log up to pos
// (false when one has stopped): what WaitFor would answer at once, without
// waiting or waking the feeder.
func (e *Engine) Reached(pos int64) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	behind, err := e.behindLocked(pos)
	return err == nil && !behind
}

// behindLocked reports whether some projection has not applied the log up
// to pos; a stopped projection is an ErrStopped. e.mu is held.
func (e *Engine) behindLocked(pos int64) (behind bool, err error) {
	for _, p := range e.projections {
		if err := e.stopped[p.Name()]; err != nil {
			return false, fmt.Errorf("%s: %w: %v", p.Name(), ErrStopped, err)
		}
		if e.applied[p.Name()] < pos {
			behind = true
		}
	}
	return behind, nil
}
