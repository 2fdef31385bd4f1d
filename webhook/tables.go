package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/careledger/careledger/projections/deadlines"
	"github.com/careledger/careledger/projections/readdb"
)

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

var schema = []string{
	`CREATE TABLE IF NOT EXISTS webhook_cursors (
	webhook_id TEXT PRIMARY KEY,
	cursor     TEXT NOT NULL,
	updated_at {{ts}} NOT NULL
)`,
	`CREATE TABLE IF NOT EXISTS webhook_deliveries (
	webhook_id      TEXT NOT NULL,
	seq             {{bigint}} NOT NULL,
	event_id        TEXT NOT NULL,
	kind            TEXT NOT NULL,
	at              {{ts}} NOT NULL,
	attempts        {{bigint}} NOT NULL,
	status          TEXT NOT NULL,
	last_error      TEXT,
	last_attempt_at {{ts}},
	delivered_at    {{ts}},
	PRIMARY KEY (webhook_id, seq)
)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS webhook_deliveries_event ON webhook_deliveries (webhook_id, event_id)`,
}

// sqliteSchema is the outbox of SQLite, where watermill-sql has none.
var sqliteSchema = []string{`CREATE TABLE IF NOT EXISTS webhook_outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	webhook_id TEXT NOT NULL,
	uuid       TEXT NOT NULL,
	payload    BLOB NOT NULL,
	metadata   TEXT NOT NULL
)`, `CREATE INDEX IF NOT EXISTS webhook_outbox_hook ON webhook_outbox (webhook_id, seq)`}

// Migrate makes the delivery's tables (the API reads webhook_deliveries).
func Migrate(ctx context.Context, db readdb.DB) error {
	stmts := schema
	if db.Dialect == readdb.SQLite {
		stmts = append(append([]string(nil), schema...), sqliteSchema...)
	}
	return db.Migrate(ctx, "webhook tables", stmts)
}

// loadCursor reads how far a webhook's feed was put in the outbox; ok is
// false for a webhook not yet dispatched.
func loadCursor(ctx context.Context, db readdb.DB, hookID string) (deadlines.FeedCursor, bool, error) {
	var raw string
	err := db.SQL.QueryRowContext(ctx, `SELECT cursor FROM webhook_cursors WHERE webhook_id = $1`, hookID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return deadlines.FeedCursor{}, false, nil
	}
	if err != nil {
		return deadlines.FeedCursor{}, false, fmt.Errorf("webhook %s cursor: %w", hookID, err)
	}
	var c deadlines.FeedCursor
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return deadlines.FeedCursor{}, false, fmt.Errorf("webhook %s cursor: %w", hookID, err)
	}
	return c, true, nil
}

// saveCursor writes the cursor inside tx.
func saveCursor(ctx context.Context, tx *sql.Tx, d readdb.Dialect, hookID string, c deadlines.FeedCursor, now time.Time) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO webhook_cursors (webhook_id, cursor, updated_at) VALUES ($1, $2, $3)
ON CONFLICT (webhook_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`, hookID, string(raw), d.Time(now))
	if err != nil {
		return fmt.Errorf("webhook %s cursor: %w", hookID, err)
	}
	return nil
}

// Delivery is one message to a webhook and how its delivery went.
type Delivery struct {
	Seq       int64     `json:"-"`
	EventID   string    `json:"event_id"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	Attempts  int64     `json:"attempts"`
	Status    string    `json:"status"`
	LastError string    `json:"last_error,omitempty"`
}

// Deliveries lists a webhook's deliveries, the latest first, before the
// sequence number before (0: from the latest), up to limit.
func Deliveries(ctx context.Context, db readdb.DB, hookID string, before int64, limit int) ([]Delivery, error) {
	var a readdb.Args
	where := "webhook_id = " + a.Arg(hookID)
	if before > 0 {
		where += " AND seq < " + a.Arg(before)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT seq, event_id, kind, at, attempts, status, last_error FROM webhook_deliveries WHERE `+
		where+` ORDER BY seq DESC LIMIT `+a.Arg(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("webhook %s deliveries: %w", hookID, err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		var (
			d       Delivery
			at      readdb.Timestamp
			lastErr sql.NullString
		)
		if err := rows.Scan(&d.Seq, &d.EventID, &d.Kind, &at, &d.Attempts, &d.Status, &lastErr); err != nil {
			return nil, fmt.Errorf("webhook %s deliveries: %w", hookID, err)
		}
		d.At, d.LastError = at.T, lastErr.String
		out = append(out, d)
	}
	return out, rows.Err()
}

// attempt is where a message's delivery stands.
type attempt struct {
	attempts int64
	status   string
	last     time.Time
}

func loadAttempt(ctx context.Context, db readdb.DB, hookID string, seq int64) (attempt, bool, error) {
	var (
		a    attempt
		last readdb.Timestamp
	)
	err := db.SQL.QueryRowContext(ctx, `SELECT attempts, status, last_attempt_at FROM webhook_deliveries WHERE webhook_id = $1 AND seq = $2`,
		hookID, seq).Scan(&a.attempts, &a.status, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return attempt{}, false, nil
	}
	if err != nil {
		return attempt{}, false, fmt.Errorf("webhook %s delivery %d: %w", hookID, seq, err)
	}
	a.last = last.T
	return a, true, nil
}

// recordAttempt counts an attempt (tried: a POST was made) and sets the
// delivery's status and, when there is one, its last error (a delivered
// message keeps the failure before its success).
func recordAttempt(ctx context.Context, db readdb.DB, hookID string, seq int64, tried bool, status, lastErr string, now time.Time) error {
	n := 0
	if tried {
		n = 1
	}
	var delivered any
	if status == StatusDelivered {
		delivered = db.Dialect.Time(now)
	}
	_, err := db.SQL.ExecContext(ctx, `UPDATE webhook_deliveries SET attempts = attempts + $1, status = $2, last_error = COALESCE($3, last_error),
last_attempt_at = CASE WHEN $1 = 1 THEN $4 ELSE last_attempt_at END, delivered_at = $5 WHERE webhook_id = $6 AND seq = $7`,
		n, status, readdb.NullText(lastErr), db.Dialect.Time(now), delivered, hookID, seq)
	if err != nil {
		return fmt.Errorf("webhook %s delivery %d: %w", hookID, seq, err)
	}
	return nil
}
