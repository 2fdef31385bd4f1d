package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresDelivery carries the feeder's notices of new events through a
// table in the PostgreSQL database that holds the log (watermill-sql), so
// that projection workers in other processes receive them: the server
// feeds (Engine.Feed with Options.Publisher), workers follow (Engine.Follow
// with Options.Subscriber), each projection in its own consumer group, so
// every projection sees every notice and a notice published while no
// worker runs waits for one.
//
// A notice names positions, never events: workers read the events from
// the log, which stays the truth. Delivery is at least once and may lag
// behind transactions still open in the database; a duplicate notice is
// skipped and a lost one is made good by the next notice or the catch-up
// from the log at start. The checkpoint written with each read-model
// change is what makes each event take effect exactly once.
//
// It needs PostgreSQL 13 or later. Notices are kept in the table
// projection_notices, a day long (see NoticesKept); what each projection
// has received is kept in projection_notice_offsets. Both are made on
// first use.
type PostgresDelivery struct {
	// Publisher publishes the feeder's notices; set it as Options.Publisher.
	Publisher message.Publisher

	pool   *pgxpool.Pool
	poll   time.Duration
	logger watermillErrors
}

// NewPostgresDelivery makes the delivery on a pool of its own, to the
// database the given pool (the store's) connects to, so that waiting for
// notices never takes the connections the store and the projections use.
// A worker looks for new notices every poll interval (100 ms when zero).
// Close releases the pool.
func NewPostgresDelivery(ctx context.Context, pool *pgxpool.Pool, poll time.Duration, log *slog.Logger) (*PostgresDelivery, error) {
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	if log == nil {
		log = slog.Default()
	}
	own, err := pgxpool.NewWithConfig(ctx, pool.Config())
	if err != nil {
		return nil, fmt.Errorf("projection delivery: %w", err)
	}
	d := &PostgresDelivery{pool: own, poll: poll, logger: watermillErrors{log: log}}
	publisher, err := wsql.NewPublisher(wsql.BeginnerFromPgx(own), wsql.PublisherConfig{
		SchemaAdapter:        noticeSchema,
		AutoInitializeSchema: true,
	}, d.logger)
	if err != nil {
		own.Close()
		return nil, fmt.Errorf("projection delivery: %w", err)
	}
	d.Publisher = &pruningPublisher{Publisher: publisher, pool: own, log: log}
	return d, nil
}

// NoticesKept is how long a notice is kept. Deleting one that a projection
// has not received loses nothing: its worker catches up from the log when
// it starts or at the next notice.
const NoticesKept = 24 * time.Hour

// pruneEvery is how often the publisher deletes notices older than
// NoticesKept.
const pruneEvery = 10 * time.Minute

// pruningPublisher publishes notices and, every pruneEvery, deletes those
// older than NoticesKept.
type pruningPublisher struct {
	message.Publisher
	pool *pgxpool.Pool
	log  *slog.Logger

	mu     sync.Mutex
	pruned time.Time
}

func (p *pruningPublisher) Publish(topic string, msgs ...*message.Message) error {
	if err := p.Publisher.Publish(topic, msgs...); err != nil {
		return err
	}
	p.mu.Lock()
	due := time.Since(p.pruned) >= pruneEvery
	if due {
		p.pruned = time.Now()
	}
	p.mu.Unlock()
	if due && len(msgs) > 0 {
		if _, err := p.pool.Exec(msgs[0].Context(), `DELETE FROM `+noticeSchema.MessagesTable(topic)+
			` WHERE created_at < CURRENT_TIMESTAMP - make_interval(secs => $1)`, NoticesKept.Seconds()); err != nil {
			p.log.Warn("projection delivery: prune notices", "error", err)
		}
	}
	return nil
}

// Subscriber gives one projection its subscription, in a consumer group of
// its own named after it; set it as Options.Subscriber.
func (d *PostgresDelivery) Subscriber(projection string) (message.Subscriber, error) {
	s := &subscription{}
	logger := d.logger
	logger.quiet = s.ending
	sub, err := wsql.NewSubscriber(wsql.BeginnerFromPgx(d.pool), wsql.SubscriberConfig{
		ConsumerGroup:    projection,
		PollInterval:     d.poll,
		ResendInterval:   d.poll,
		RetryInterval:    time.Second,
		SchemaAdapter:    noticeSchema,
		OffsetsAdapter:   noticeOffsets,
		InitializeSchema: true,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("projection delivery for %s: %w", projection, err)
	}
	s.Subscriber = sub
	return s, nil
}

// subscription is one projection's subscriber; what goes wrong once its
// context ended is the engine stopping, not an error to report.
type subscription struct {
	message.Subscriber
	ctx atomic.Pointer[context.Context]
}

func (s *subscription) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	s.ctx.Store(&ctx)
	return s.Subscriber.Subscribe(ctx, topic)
}

func (s *subscription) ending() bool {
	ctx := s.ctx.Load()
	return ctx != nil && (*ctx).Err() != nil
}

// Close closes the publisher and the pool; close the engine's
// subscriptions first (Follow returns when they are closed).
func (d *PostgresDelivery) Close() error {
	err := d.Publisher.Close()
	d.pool.Close()
	return err
}

var (
	noticeSchema = wsql.DefaultPostgreSQLSchema{
		GenerateMessagesTableName: func(string) string { return "projection_notices" },
	}
	noticeOffsets = wsql.DefaultPostgreSQLOffsetsAdapter{
		GenerateMessagesOffsetsTableName: func(string) string { return "projection_notice_offsets" },
	}
)

// watermillErrors passes watermill's errors to the engine's log and drops
// its chatter.
type watermillErrors struct {
	log    *slog.Logger
	fields watermill.LogFields
	quiet  func() bool // reports whether errors are to be dropped
}

func (w watermillErrors) Error(msg string, err error, fields watermill.LogFields) {
	if errors.Is(err, context.Canceled) || (w.quiet != nil && w.quiet()) {
		return // the engine is stopping
	}
	args := []any{"error", err}
	for k, v := range w.fields.Add(fields) {
		args = append(args, k, v)
	}
	w.log.Error("projection delivery: "+msg, args...)
}

func (watermillErrors) Info(string, watermill.LogFields)  {}
func (watermillErrors) Debug(string, watermill.LogFields) {}
func (watermillErrors) Trace(string, watermill.LogFields) {}

func (w watermillErrors) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return watermillErrors{log: w.log, fields: w.fields.Add(fields), quiet: w.quiet}
}
