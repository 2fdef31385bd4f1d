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
	// Poll is how often the feeder looks for new events (default 50 ms).
	Poll time.Duration
	// Attempts bounds how often a failing batch is tried before the
	// projection stops (default 5).
	Attempts int
	// Logger receives the engine's structured logs (default slog.Default()).
	Logger *slog.Logger
}

// Engine runs projections against one read-model database.
type Engine struct {
	log         Log
	db          *sql.DB
	dialect     Dialect
	registry    *domain.Registry
	projections []Projection
	opts        Options
	pubsub      *gochannel.GoChannel

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
	return &Engine{
		log: log, db: db, dialect: d, registry: domain.NewRegistry(), projections: projections, opts: opts,
		pubsub:   gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64}, watermill.NopLogger{}),
		applied:  map[string]int64{},
		stopped:  map[string]error{},
		advanced: make(chan struct{}),
	}
}

// Migrate creates the checkpoint table and every projection's tables.
func (e *Engine) Migrate(ctx context.Context) error {
	stmts := []string{checkpointSchema}
	for _, p := range e.projections {
		stmts = append(stmts, p.Schema()...)
	}
	for _, s := range stmts {
		if _, err := e.db.ExecContext(ctx, e.dialect.DDL(s)); err != nil {
			return fmt.Errorf("migrate read models: %w", err)
		}
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

// page is the payload of a watermill message: consecutive events of the log.
type page struct {
	From   int64              `json:"from"`
	To     int64              `json:"to"`
	Events []eventstore.Event `json:"events"`
}

// Run applies events until ctx ends: every projection first catches up
// from the log, then follows the pages the feeder publishes.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, p := range e.projections {
		msgs, err := e.pubsub.Subscribe(ctx, topic)
		if err != nil {
			return fmt.Errorf("subscribe %s: %w", p.Name(), err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.follow(ctx, p, msgs)
		}()
	}
	err := e.feed(ctx)
	wg.Wait()
	_ = e.pubsub.Close()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// feed tails the log from its head and publishes each new page.
func (e *Engine) feed(ctx context.Context) error {
	head, err := e.log.Head(ctx)
	if err != nil {
		return fmt.Errorf("projections: read head: %w", err)
	}
	pos := head.Position
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
			body, err := json.Marshal(page{From: events[0].GlobalPosition, To: events[len(events)-1].GlobalPosition, Events: events})
			if err != nil {
				return fmt.Errorf("projections: encode page: %w", err)
			}
			if err := e.pubsub.Publish(topic, message.NewMessage(watermill.NewUUID(), body)); err != nil {
				return fmt.Errorf("projections: publish: %w", err)
			}
			pos = events[len(events)-1].GlobalPosition
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// follow runs one projection: catch up from the log, then apply pages as
// they come, skipping what is applied and catching up over any gap.
func (e *Engine) follow(ctx context.Context, p Projection, msgs <-chan *message.Message) {
	if err := e.catchUp(ctx, p, 0); err != nil {
		e.stop(ctx, p, err)
		drain(msgs)
		return
	}
	for msg := range msgs {
		var pg page
		if err := json.Unmarshal(msg.Payload, &pg); err != nil {
			e.opts.Logger.Error("projections: bad page", "projection", p.Name(), "error", err)
			msg.Ack()
			continue
		}
		cp := e.position(p.Name())
		var err error
		switch {
		case pg.To <= cp:
		case pg.From > cp+1:
			err = e.catchUp(ctx, p, pg.To)
		default:
			err = e.apply(ctx, p, pg.Events[cp+1-pg.From:])
		}
		msg.Ack()
		if err != nil {
			e.stop(ctx, p, err)
			drain(msgs)
			return
		}
	}
}

func drain(msgs <-chan *message.Message) {
	for m := range msgs {
		m.Ack()
	}
}

// CatchUp applies, for every projection, all events up to the head of the
// log as it is now. It is what a rebuild and the tests use.
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
	if err := saveCheckpoint(ctx, tx, p.Name(), last); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	e.mark(p.Name(), last)
	return nil
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
