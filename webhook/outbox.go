package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/careledger/careledger/projections/readdb"
)

// outbox is where the dispatcher puts messages, inside its transaction,
// and where the router takes them from.
type outbox interface {
	// prepare makes a webhook's topic ready to publish to and consume from.
	prepare(ctx context.Context, hookID string) error
	// put adds messages to a webhook's topic inside tx.
	put(ctx context.Context, tx *sql.Tx, hookID string, msgs []*message.Message) error
	// subscriber is what the router consumes a webhook's topic from.
	subscriber() message.Subscriber
	// done tells the outbox that a message was handled for good (delivered,
	// or never to be): acknowledged.
	done(ctx context.Context, hookID string, msg *message.Message) error
	// forward runs what brings messages from the outbox to the subscriber,
	// for a webhook, until ctx ends (nothing on PostgreSQL).
	forward(ctx context.Context, hookID string)
	// poison is where messages that can never be delivered go.
	poison() message.Publisher
	Close() error
}

// topic is a webhook's topic (and, on PostgreSQL, its table's suffix).
func topic(hookID string) string { return "webhook_" + strings.ReplaceAll(hookID, "-", "") }

// Metadata keys of a message.
const (
	metaHook  = "webhook_id"
	metaEvent = "event_id"
	metaSeq   = "seq"
	metaKind  = "kind"
)

// pgOutbox is watermill-sql's PostgreSQL pub/sub: a table per webhook
// (webhook_outbox_<id>), written by its publisher in the dispatcher's
// transaction, and its offsets (webhook_offsets_<id>).
type pgOutbox struct {
	db     *sql.DB
	sub    *wsql.Subscriber
	pub    *wsql.Publisher
	logger watermill.LoggerAdapter
	mu     sync.Mutex
	ready  map[string]bool
}

var (
	pgSchema = wsql.DefaultPostgreSQLSchema{
		GenerateMessagesTableName: func(topic string) string { return "webhook_outbox_" + strings.TrimPrefix(topic, "webhook_") },
		// One message at a time: a crash redelivers at most the one in hand.
		SubscribeBatchSize: 1,
	}
	pgOffsets = wsql.DefaultPostgreSQLOffsetsAdapter{
		GenerateMessagesOffsetsTableName: func(topic string) string {
			return "webhook_offsets_" + strings.TrimPrefix(topic, "webhook_")
		},
	}
)

// pgAckDeadline bounds how long the subscriber's transaction holds a
// message: past it, the message is let go and read again.
const pgAckDeadline = 30 * time.Second

func newPGOutbox(db *sql.DB, logger watermill.LoggerAdapter) (*pgOutbox, error) {
	deadline := pgAckDeadline
	sub, err := wsql.NewSubscriber(wsql.BeginnerFromStdSQL(db), wsql.SubscriberConfig{
		ConsumerGroup:    "careledger",
		AckDeadline:      &deadline,
		PollInterval:     200 * time.Millisecond,
		ResendInterval:   100 * time.Millisecond,
		RetryInterval:    time.Second,
		SchemaAdapter:    pgSchema,
		OffsetsAdapter:   pgOffsets,
		InitializeSchema: true,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("webhook outbox: %w", err)
	}
	pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{SchemaAdapter: pgSchema, AutoInitializeSchema: true}, logger)
	if err != nil {
		return nil, fmt.Errorf("webhook outbox: %w", err)
	}
	return &pgOutbox{db: db, sub: sub, pub: pub, logger: logger, ready: map[string]bool{}}, nil
}

func (o *pgOutbox) prepare(_ context.Context, hookID string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.ready[hookID] {
		return nil
	}
	if err := o.sub.SubscribeInitialize(topic(hookID)); err != nil {
		return fmt.Errorf("webhook %s outbox: %w", hookID, err)
	}
	o.ready[hookID] = true
	return nil
}

func (o *pgOutbox) put(_ context.Context, tx *sql.Tx, hookID string, msgs []*message.Message) error {
	pub, err := wsql.NewPublisher(wsql.TxFromStdSQL(tx), wsql.PublisherConfig{SchemaAdapter: pgSchema}, o.logger)
	if err != nil {
		return fmt.Errorf("webhook %s outbox: %w", hookID, err)
	}
	if err := pub.Publish(topic(hookID), msgs...); err != nil {
		return fmt.Errorf("webhook %s outbox: %w", hookID, err)
	}
	return nil
}

func (o *pgOutbox) subscriber() message.Subscriber                       { return o.sub }
func (o *pgOutbox) done(context.Context, string, *message.Message) error { return nil }
func (o *pgOutbox) forward(context.Context, string)                      {}
func (o *pgOutbox) poison() message.Publisher                            { return o.pub }
func (o *pgOutbox) Close() error                                         { return o.sub.Close() }

// sqliteOutbox is a table of its own (webhook_outbox), written in the
// dispatcher's transaction, and a forwarder per webhook that publishes its
// oldest message to a GoChannel and waits until it is handled: the handler
// deletes a message from the table once it is done with it.
type sqliteOutbox struct {
	db     readdb.DB
	pubsub *gochannel.GoChannel
	poll   time.Duration
}

func newSQLiteOutbox(db readdb.DB, poll time.Duration, logger watermill.LoggerAdapter) *sqliteOutbox {
	return &sqliteOutbox{db: db, poll: poll, pubsub: gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)}
}

func (o *sqliteOutbox) prepare(context.Context, string) error { return nil }

func (o *sqliteOutbox) put(ctx context.Context, tx *sql.Tx, hookID string, msgs []*message.Message) error {
	for _, m := range msgs {
		meta, err := json.Marshal(m.Metadata)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_outbox (webhook_id, uuid, payload, metadata) VALUES ($1, $2, $3, $4)`,
			hookID, m.UUID, []byte(m.Payload), string(meta)); err != nil {
			return fmt.Errorf("webhook %s outbox: %w", hookID, err)
		}
	}
	return nil
}

func (o *sqliteOutbox) subscriber() message.Subscriber { return o.pubsub }
func (o *sqliteOutbox) poison() message.Publisher      { return o.pubsub }
func (o *sqliteOutbox) Close() error                   { return o.pubsub.Close() }

func (o *sqliteOutbox) done(ctx context.Context, hookID string, msg *message.Message) error {
	if _, err := o.db.SQL.ExecContext(ctx, `DELETE FROM webhook_outbox WHERE webhook_id = $1 AND uuid = $2`, hookID, msg.UUID); err != nil {
		return fmt.Errorf("webhook %s outbox: %w", hookID, err)
	}
	return nil
}

func (o *sqliteOutbox) forward(ctx context.Context, hookID string) {
	var last string // the message published last, while it is still there
	for ctx.Err() == nil {
		var (
			id, meta string
			payload  []byte
		)
		err := o.db.SQL.QueryRowContext(ctx, `SELECT uuid, payload, metadata FROM webhook_outbox WHERE webhook_id = $1 ORDER BY seq LIMIT 1`,
			hookID).Scan(&id, &payload, &meta)
		if err == nil && id != last {
			last = id
			msg := message.NewMessage(id, payload)
			if json.Unmarshal([]byte(meta), &msg.Metadata) == nil {
				// Publish returns once the handler acknowledged the message
				// (and so deleted it), or the pub/sub closed.
				err = o.pubsub.Publish(topic(hookID), msg)
			}
			if err == nil {
				continue
			}
		}
		last = "" // still there after a pause: publish it again
		select {
		case <-ctx.Done():
		case <-time.After(o.poll):
		}
	}
}
