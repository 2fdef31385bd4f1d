package webhook

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/readdb"
	"github.com/careledger/careledger/projections/webhooks"
)

// Config is what a Dispatcher is built from.
type Config struct {
	// DB is the read-model database: the deadline view and the webhooks'
	// read model.
	DB readdb.DB
	// State is the database of the delivery's own tables (cursors,
	// deliveries, the outbox), which the log cannot give back; zero: DB.
	State readdb.DB
	// Secret gives a webhook's signing secret.
	Secret func(webhookID string) []byte
	Logger *slog.Logger
	// Poll is how often the feeds are read (default 250 ms).
	Poll time.Duration
	// Backoff is the wait after a first failed attempt, doubling after
	// each further one up to MaxBackoff (defaults 1 s and 10 min).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one POST (default 10 s).
	Timeout time.Duration
	Client  *http.Client // default: a client of its own
}

// Dispatcher puts every active webhook's notifications in the outbox and
// delivers them (see the package comment).
type Dispatcher struct {
	cfg    Config
	db     readdb.DB // the read models
	state  readdb.DB // the delivery's own tables
	log    *slog.Logger
	outbox outbox
	router *message.Router

	mu      sync.Mutex
	started map[string]bool                 // webhooks whose topic is consumed
	cursors map[string]deadlines.FeedCursor // read ahead of the stored cursor, with nothing to tell between
	saved   map[string]time.Time            // when each cursor was last stored
}

// feedBatch bounds the notifications one transaction puts in the outbox.
const feedBatch = 100

// keepCursorEvery is how often a cursor that only moved with the clock is
// stored.
const keepCursorEvery = 30 * time.Second

// New makes a dispatcher; Run runs it.
func New(cfg Config) (*Dispatcher, error) {
	if cfg.DB.SQL == nil || cfg.Secret == nil {
		return nil, errors.New("webhook: DB and Secret are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = max(10*time.Minute, cfg.Backoff)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.State.SQL == nil {
		cfg.State = cfg.DB
	}
	return &Dispatcher{cfg: cfg, db: cfg.DB, state: cfg.State, log: cfg.Logger, started: map[string]bool{},
		cursors: map[string]deadlines.FeedCursor{}, saved: map[string]time.Time{}}, nil
}

func (d *Dispatcher) now() time.Time { return d.db.Now() }

// Run dispatches and delivers until ctx ends. On PostgreSQL it first waits
// to be the one process that dispatches (a session advisory lock).
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.state.Dialect == readdb.Postgres {
		release, err := d.lead(ctx)
		if err != nil || release == nil {
			return err
		}
		defer release()
	}
	if err := Migrate(ctx, d.state); err != nil {
		return err
	}
	logger := watermillLog{log: d.log}
	var err error
	if d.state.Dialect == readdb.Postgres {
		d.outbox, err = newPGOutbox(d.state.SQL, logger)
	} else {
		d.outbox = newSQLiteOutbox(d.state, d.cfg.Poll, logger)
	}
	if err != nil {
		return err
	}
	defer d.outbox.Close()
	if err := d.startRouter(ctx, logger); err != nil {
		return err
	}
	defer d.router.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if err := d.dispatch(ctx, &wg); err != nil && ctx.Err() == nil {
			d.log.Error("webhook dispatch", "error", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(d.cfg.Poll):
		}
	}
}

// startRouter runs the router with its middleware: the poison queue for
// what can never be delivered, around the retries with backoff.
func (d *Dispatcher) startRouter(ctx context.Context, logger watermill.LoggerAdapter) error {
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 5 * time.Second}, logger)
	if err != nil {
		return err
	}
	poison, err := middleware.PoisonQueueWithFilter(d.outbox.poison(), "webhook_poison", func(err error) bool {
		return errors.Is(err, errPermanent)
	})
	if err != nil {
		return err
	}
	r.AddMiddleware(poison, middleware.Retry{
		MaxRetries: 4, InitialInterval: min(d.cfg.Backoff, time.Second), Multiplier: 2, MaxInterval: 4 * time.Second,
		ShouldRetry: func(p middleware.RetryParams) bool { return !errors.Is(p.Err, errPermanent) },
	}.Middleware)
	// A handler that never receives anything keeps the router running
	// while no webhook is registered.
	idle := gochannel.NewGoChannel(gochannel.Config{}, logger)
	r.AddConsumerHandler("webhook_idle", "webhook_idle", idle, func(*message.Message) error { return nil })
	d.router = r
	go func() {
		if err := r.Run(ctx); err != nil {
			d.log.Error("webhook router", "error", err)
		}
		_ = idle.Close()
	}()
	select {
	case <-r.Running():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dispatch reads the feed of every active webhook into the outbox, and
// makes sure every webhook's topic is consumed.
func (d *Dispatcher) dispatch(ctx context.Context, wg *sync.WaitGroup) error {
	hooks, err := webhooks.All(ctx, d.db)
	if err != nil {
		return err
	}
	var errs []error
	for _, h := range hooks {
		if err := d.consume(ctx, h.ID, wg); err != nil {
			errs = append(errs, err)
			continue
		}
		if h.Active() {
			errs = append(errs, d.feed(ctx, h))
		}
	}
	return errors.Join(errs...)
}

// consume starts consuming a webhook's topic, once.
func (d *Dispatcher) consume(ctx context.Context, hookID string, wg *sync.WaitGroup) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started[hookID] {
		return nil
	}
	if err := d.outbox.prepare(ctx, hookID); err != nil {
		return err
	}
	d.router.AddConsumerHandler("webhook-"+hookID, topic(hookID), d.outbox.subscriber(), d.handle)
	if err := d.router.RunHandlers(ctx); err != nil {
		return err
	}
	d.started[hookID] = true
	wg.Add(1)
	go func() { defer wg.Done(); d.outbox.forward(ctx, hookID) }()
	return nil
}

// feed puts what the webhook's feed tells after its cursor in the outbox,
// and moves the cursor on, in one transaction.
func (d *Dispatcher) feed(ctx context.Context, h webhooks.Webhook) error {
	now := d.now()
	cur, ok := d.cursors[h.ID]
	if !ok {
		stored, found, err := loadCursor(ctx, d.state, h.ID)
		if err != nil {
			return err
		}
		if cur = stored; !found {
			// First seen: told what becomes known from now on, and what the
			// clock does from the registration on.
			if cur, err = deadlines.FeedStart(ctx, d.db, now); err != nil {
				return err
			}
			if h.RegisteredAt.Before(now) {
				cur.At = h.RegisteredAt
			}
		}
	}
	policies, err := deadlines.Policies(ctx, d.db)
	if err != nil {
		return err
	}
	policy, _ := policies.InForce(now)
	f := deadlines.FeedFilter{Scope: deadlines.Scope{All: true, Within: h.Jurisdiction}, Escalated: true,
		EscalateAfter: policy.EscalateAfter.D, DueSoon: policy.DueSoon.D, Now: now}
	notes, next, err := deadlines.Feed(ctx, d.db, f, cur, feedBatch)
	if err != nil {
		return err
	}
	var told []deadlines.Notification
	for _, n := range notes {
		if slices.Contains(h.Kinds, n.Kind) {
			told = append(told, n)
		}
	}
	if len(told) == 0 && ok && time.Since(d.saved[h.ID]) < keepCursorEvery {
		d.cursors[h.ID] = next
		return nil
	}
	if err := d.store(ctx, h.ID, told, next, now); err != nil {
		delete(d.cursors, h.ID) // read again from the stored cursor
		return err
	}
	d.cursors[h.ID], d.saved[h.ID] = next, time.Now()
	return nil
}

// store writes, in one transaction, the cursor, a delivery record per
// notification and its message in the outbox.
func (d *Dispatcher) store(ctx context.Context, hookID string, told []deadlines.Notification, next deadlines.FeedCursor, now time.Time) (err error) {
	tx, err := d.state.SQL.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("webhook %s dispatch: %w", hookID, err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	// The cursor first: on SQLite the write takes the database's write
	// lock before anything is read.
	if err := saveCursor(ctx, tx, d.state.Dialect, hookID, next, now); err != nil {
		return err
	}
	if len(told) > 0 {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM webhook_deliveries WHERE webhook_id = $1`, hookID).Scan(&last); err != nil {
			return fmt.Errorf("webhook %s dispatch: %w", hookID, err)
		}
		msgs := make([]*message.Message, 0, len(told))
		for i, n := range told {
			seq := last.Int64 + int64(i) + 1
			id, err := n.After.ID()
			if err != nil {
				return err
			}
			body, err := marshalPayload(Payload{ID: id, Kind: n.Kind, At: n.At, Deadline: n.Deadline})
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, seq, event_id, kind, at, attempts, status)
VALUES ($1, $2, $3, $4, $5, 0, $6)`, hookID, seq, id, n.Kind, d.state.Dialect.Time(n.At), StatusPending); err != nil {
				return fmt.Errorf("webhook %s dispatch: %w", hookID, err)
			}
			m := message.NewMessage(watermill.NewUUID(), body)
			m.Metadata.Set(metaHook, hookID)
			m.Metadata.Set(metaSeq, strconv.FormatInt(seq, 10))
			m.Metadata.Set(metaEvent, id)
			m.Metadata.Set(metaKind, n.Kind)
			m.SetContext(ctx)
			msgs = append(msgs, m)
		}
		if err := d.outbox.put(ctx, tx, hookID, msgs); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("webhook %s dispatch: %w", hookID, err)
	}
	return nil
}
