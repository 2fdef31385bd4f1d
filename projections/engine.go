package projections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventstore"
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
	// Poll is how often the feeder looks for new events (default 50 ms).
	Poll time.Duration
	// Attempts bounds how often a failing batch is tried before the
	// projection stops (default 5).
	Attempts int
	// Logger receives the engine's structured logs (default slog.Default()).
	Logger *slog.Logger

	// Publisher and Subscriber carry notices of new events from the feeder
	// to the projections. Unset, the engine makes one in-process watermill
	// GoChannel for both, and its notices carry the events themselves.
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
	dialect     Dialect
	registry    *domain.Registry
	projections []Projection
	opts        Options
	inProcess   *gochannel.GoChannel // nil when a durable pub/sub delivers

	// turns holds, per projection name, a *sync.Mutex that each of its
	// transactions takes: a rebuild's swap holds the follower off with it.
	turns sync.Map

	mu       sync.Mutex
	applied  map[string]int64 // checkpoint per projection, as last committed
	stopped  map[string]error
	advanced chan struct{} // closed and replaced whenever a checkpoint moves
}

// topic is the watermill topic pages of new events are published on.
const topic = "careledger.events"

// New makes an engine. Migrate must run before Run or CatchUp.
func New(log Log, db *sql.DB, d Dialect, opts Options, projections ...Projection) *Engine {
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
		log: log, db: db, dialect: d, registry: domain.NewRegistry(), projections: projections, opts: opts,
		applied:  map[string]int64{},
		stopped:  map[string]error{},
		advanced: make(chan struct{}),
	}
	if opts.Publisher == nil && opts.Subscriber == nil {
		e.inProcess = gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64}, watermill.NopLogger{})
		e.opts.Publisher = e.inProcess
		e.opts.Subscriber = func(string) (message.Subscriber, error) { return shared{e.inProcess}, nil }
	}
	return e
}

// shared is the one in-process GoChannel as one projection's subscriber:
// closing it is left to Run.
type shared struct{ message.Subscriber }

func (shared) Close() error { return nil }

// Migrate creates the checkpoint table and every projection's tables.
func (e *Engine) Migrate(ctx context.Context) error {
	stmts := []string{checkpointSchema}
	for _, p := range e.projections {
		stmts = append(stmts, p.Schema()...)
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate read models: %w", err)
	}
	defer tx.Rollback()
	if e.dialect == Postgres {
		// A server and its projection workers that start together migrate
		// one after the other.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('careledger read models'))`); err != nil {
			return fmt.Errorf("migrate read models: %w", err)
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, e.dialect.DDL(s)); err != nil {
			return fmt.Errorf("migrate read models: %w", err)
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

// page is the payload of a watermill message, a notice that the log holds
// events From to To. From the in-process GoChannel it carries the events;
// from a durable pub/sub it does not, and they are read from the log.
type page struct {
	From   int64              `json:"from"`
	To     int64              `json:"to"`
	Events []eventstore.Event `json:"events,omitempty"`
}

// Run applies events until ctx ends: every projection first catches up
// from the log, then follows the notices the feeder publishes. It is Feed
// and Follow in one process.
func (e *Engine) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	wait, err := e.startFollowing(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	err = e.feed(ctx)
	cancel()
	wait()
	if e.inProcess != nil {
		_ = e.inProcess.Close()
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Feed publishes a notice of each new page of the log until ctx ends, for
// projections that run in other processes (see Follow). Meanwhile it
// mirrors their checkpoints from the read-model database, so that WaitFor,
// Statuses and Lags tell where those projections stand. It needs
// Options.Publisher.
func (e *Engine) Feed(ctx context.Context) error {
	if e.inProcess != nil {
		return errors.New("projections: Feed needs Options.Publisher, a pub/sub other processes follow")
	}
	if e.opts.Publisher == nil {
		return errors.New("projections: Feed needs Options.Publisher")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mirrored := make(chan struct{})
	go func() {
		defer close(mirrored)
		e.mirror(ctx)
	}()
	err := e.feed(ctx)
	cancel()
	<-mirrored
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// Follow applies events until ctx ends, without feeding: every projection
// catches up from the log, then applies what the notices of a feeder in
// another process (see Feed) announce. It needs Options.Subscriber. A
// projection that stops on an event stops alone; Follow returns when ctx
// ends.
func (e *Engine) Follow(ctx context.Context) error {
	if e.inProcess != nil {
		return errors.New("projections: Follow needs Options.Subscriber, a pub/sub another process feeds")
	}
	wait, err := e.startFollowing(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	wait()
	return nil
}

// startFollowing subscribes every projection and starts following; wait
// returns once every projection has stopped following, after ctx ends.
// Each projection receives as soon as it is subscribed: a durable
// subscription holds a connection until its notice is taken.
func (e *Engine) startFollowing(ctx context.Context) (wait func(), err error) {
	if e.opts.Subscriber == nil {
		return nil, errors.New("projections: following needs Options.Subscriber")
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, p := range e.projections {
		sub, err := e.opts.Subscriber(p.Name())
		var msgs <-chan *message.Message
		if err == nil {
			msgs, err = sub.Subscribe(ctx, topic)
			if err != nil {
				_ = sub.Close()
			}
		}
		if err != nil {
			cancel()
			wg.Wait()
			return nil, fmt.Errorf("subscribe %s: %w", p.Name(), err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.follow(ctx, p, msgs)
			if err := sub.Close(); err != nil {
				e.opts.Logger.Warn("projections: close subscription", "projection", p.Name(), "error", err)
			}
		}()
	}
	return func() {
		wg.Wait()
		cancel()
	}, nil
}

// feed tails the log from its head and publishes a notice of each new
// page. Its first notice names the head itself, so that projections
// following elsewhere learn of events written while no feeder ran. A
// notice that cannot be published is logged and the page tried again.
func (e *Engine) feed(ctx context.Context) error {
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	pos := head.Position
	if e.inProcess == nil {
		e.publish(ctx, page{From: pos, To: pos})
	}
	ticker := time.NewTicker(e.opts.Poll)
	defer ticker.Stop()
	for {
		events, err := e.log.ReadLog(ctx, pos, e.opts.Batch)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.opts.Logger.Error("projections: read log", "after", pos, "error", err)
		}
		if len(events) > 0 {
			pg := page{From: events[0].GlobalPosition, To: events[len(events)-1].GlobalPosition}
			if e.inProcess != nil {
				pg.Events = events
			}
			if e.publish(ctx, pg) {
				pos = pg.To
				continue
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// publish publishes one notice and reports whether it went out.
func (e *Engine) publish(ctx context.Context, pg page) bool {
	body, err := json.Marshal(pg)
	if err != nil {
		e.opts.Logger.Error("projections: encode notice", "error", err)
		return false
	}
	msg := message.NewMessage(watermill.NewUUID(), body)
	msg.SetContext(ctx)
	if err := e.opts.Publisher.Publish(topic, msg); err != nil {
		if ctx.Err() == nil {
			e.opts.Logger.Error("projections: publish notice", "from", pg.From, "to", pg.To, "error", err)
		}
		return false
	}
	return true
}

// follow runs one projection: catch up from the log, then apply what the
// notices announce, skipping what is applied and catching up from the log
// over any gap.
func (e *Engine) follow(ctx context.Context, p Projection, msgs <-chan *message.Message) {
	notices := make(chan page)
	go e.receive(p, msgs, notices)
	if err := e.catchUp(ctx, p, 0); err != nil {
		e.stop(ctx, p, err)
		drain(notices)
		return
	}
	for pg := range notices {
		cp := e.position(p.Name())
		var err error
		switch {
		case pg.To <= cp:
		case len(pg.Events) == 0 || pg.From > cp+1:
			err = e.catchUp(ctx, p, pg.To)
		default:
			err = e.apply(ctx, p, pg.Events[cp+1-pg.From:])
			if err == nil && e.position(p.Name()) < pg.To {
				// Another runner moved the checkpoint meanwhile.
				err = e.catchUp(ctx, p, pg.To)
			}
		}
		if err != nil {
			e.stop(ctx, p, err)
			drain(notices)
			return
		}
	}
}

// receive acknowledges each message as it arrives — the checkpoint, not the
// acknowledgement, records what is applied — and hands the notices on.
// While the projection is busy, notices that arrive are merged into one
// that names every position they name and carries no events, so that the
// projection reads them from the log. It closes notices when msgs closes.
func (e *Engine) receive(p Projection, msgs <-chan *message.Message, notices chan<- page) {
	defer close(notices)
	var pending *page
	for {
		var out chan<- page
		var next page
		if pending != nil {
			out, next = notices, *pending
		}
		select {
		case msg, ok := <-msgs:
			if !ok {
				return
			}
			msg.Ack()
			var pg page
			if err := json.Unmarshal(msg.Payload, &pg); err != nil {
				e.opts.Logger.Error("projections: bad notice", "projection", p.Name(), "error", err)
				continue
			}
			if pending != nil {
				pg = page{From: min(pending.From, pg.From), To: max(pending.To, pg.To)}
			}
			pending = &pg
		case out <- next:
			pending = nil
		}
	}
}

func drain(notices <-chan page) {
	for range notices {
	}
}

// mirror copies the checkpoints and stops that projections running
// elsewhere record, every poll interval, until ctx ends.
func (e *Engine) mirror(ctx context.Context) {
	ticker := time.NewTicker(e.opts.Poll)
	defer ticker.Stop()
	for {
		if err := e.refresh(ctx); err != nil && ctx.Err() == nil {
			e.opts.Logger.Warn("projections: read checkpoints", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// refresh reads every projection's checkpoint and status as recorded.
func (e *Engine) refresh(ctx context.Context) error {
	rows, err := e.db.QueryContext(ctx, `SELECT name, position, status, coalesce(error, '') FROM projection_checkpoints`)
	if err != nil {
		return err
	}
	defer rows.Close()
	type recorded struct {
		position int64
		stopped  error
	}
	found := map[string]recorded{}
	for rows.Next() {
		var name, status, reason string
		var r recorded
		if err := rows.Scan(&name, &r.position, &status, &reason); err != nil {
			return err
		}
		if status == "stopped" {
			r.stopped = errors.New(reason)
		}
		found[name] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	changed := false
	for _, p := range e.projections {
		r := found[p.Name()]
		if e.applied[p.Name()] != r.position {
			e.applied[p.Name()] = r.position
			changed = true
		}
		if (e.stopped[p.Name()] == nil) != (r.stopped == nil) {
			changed = true
		}
		if r.stopped != nil {
			e.stopped[p.Name()] = r.stopped
		} else {
			delete(e.stopped, p.Name())
		}
	}
	if changed {
		close(e.advanced) // wake WaitFor
		e.advanced = make(chan struct{})
	}
	return nil
}

// CatchUp applies, for every projection, all events up to the head of the
// log as it is now. It is what tools and the tests use.
func (e *Engine) CatchUp(ctx context.Context) error {
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	for _, p := range e.projections {
		if err := e.catchUp(ctx, p, head.Position); err != nil {
			return fmt.Errorf("projection %s: %w", p.Name(), err)
		}
	}
	return nil
}

// catchUp applies pages read from the log after the projection's
// checkpoint, until the log ends or, when until > 0, until it is reached.
func (e *Engine) catchUp(ctx context.Context, p Projection, until int64) error {
	for {
		cp := e.position(p.Name())
		if until > 0 && cp >= until {
			return nil
		}
		events, err := e.log.ReadLog(ctx, cp, e.opts.Batch)
		if err != nil {
			return fmt.Errorf("read log after %d: %w", cp, err)
		}
		if len(events) == 0 {
			return nil
		}
		if err := e.apply(ctx, p, events); err != nil {
			return err
		}
	}
}

// errPoison marks an event the projection cannot take: retrying is useless.
var errPoison = errors.New("event cannot be applied")

// apply applies consecutive events in one transaction with the checkpoint,
// retrying with backoff; an event that cannot be decoded is not retried.
func (e *Engine) apply(ctx context.Context, p Projection, stored []eventstore.Event) error {
	events, err := commands.DecodeEvents(e.registry, stored)
	if err != nil {
		// Apply what precedes the event that cannot be read, then stop on it.
		good := 0
		for ; good < len(stored); good++ {
			if _, err := commands.DecodeEvents(e.registry, stored[good:good+1]); err != nil {
				break
			}
		}
		if good > 0 {
			if err := e.apply(ctx, p, stored[:good]); err != nil {
				return err
			}
		}
		return fmt.Errorf("%w: %v", errPoison, err)
	}
	return e.applyDecoded(ctx, p, events)
}

// applyDecoded applies decoded events, retrying with backoff.
func (e *Engine) applyDecoded(ctx context.Context, p Projection, events []domain.Recorded) error {
	var last error
	for attempt := range e.opts.Attempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(10<<attempt) * time.Millisecond):
			}
		}
		if last = e.applyOnce(ctx, p, events); last == nil || errors.Is(last, errRace) {
			return nil
		}
		e.opts.Logger.Warn("projections: apply failed, retrying", "projection", p.Name(),
			"from", events[0].Position, "to", events[len(events)-1].Position, "attempt", attempt+1, "error", last)
	}
	return last
}

// errRace: another runner applied these events first; nothing to do.
var errRace = errors.New("checkpoint moved")

func (e *Engine) applyOnce(ctx context.Context, p Projection, events []domain.Recorded) error {
	turn := e.turn(p.Name())
	turn.Lock()
	defer turn.Unlock()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	cp, err := checkpoint(ctx, tx, p.Name())
	if err != nil {
		return err
	}
	if cp != events[0].Position-1 {
		// Another process (or a rebuild) moved the checkpoint: resync.
		e.mark(p.Name(), cp)
		return errRace
	}
	if err := p.Apply(ctx, tx, e.dialect, events); err != nil {
		return fmt.Errorf("apply events %d to %d: %w", events[0].Position, events[len(events)-1].Position, err)
	}
	last := events[len(events)-1].Position
	if err := advanceCheckpoint(ctx, tx, p.Name(), cp, last); err != nil {
		if errors.Is(err, errRace) {
			// Another process (a rebuild's swap) moved it meanwhile.
			tx.Rollback()
			if now, err := checkpoint(ctx, e.db, p.Name()); err == nil {
				e.mark(p.Name(), now)
			}
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	e.mark(p.Name(), last)
	return nil
}

// turn is the lock a projection's transactions take in this process.
func (e *Engine) turn(name string) *sync.Mutex {
	m, _ := e.turns.LoadOrStore(name, &sync.Mutex{})
	return m.(*sync.Mutex)
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
	close(e.advanced) // wake WaitFor
	e.advanced = make(chan struct{})
	e.mu.Unlock()
}

func (e *Engine) mark(name string, pos int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.applied[name] = pos
	close(e.advanced)
	e.advanced = make(chan struct{})
}

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

// WaitFor waits until every projection has applied the log up to pos (for
// read-your-writes), or ctx ends.
func (e *Engine) WaitFor(ctx context.Context, pos int64) error {
	for {
		e.mu.Lock()
		behind := false
		for _, p := range e.projections {
			if err := e.stopped[p.Name()]; err != nil {
				e.mu.Unlock()
				return fmt.Errorf("%s: %w: %v", p.Name(), ErrStopped, err)
			}
			if e.applied[p.Name()] < pos {
				behind = true
			}
		}
		advanced := e.advanced
		e.mu.Unlock()
		if !behind {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-advanced:
		}
	}
}
