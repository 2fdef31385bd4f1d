package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Webhook is a registered webhook as the read model has it.
type Webhook struct {
	ID           string
	URL          string
	Jurisdiction domain.Jurisdiction
	Kinds        []string
	RegisteredAt time.Time
	// RemovedAt is when it was removed (zero: it is active).
	RemovedAt time.Time
}

// Active reports whether the webhook is still told anything.
func (w Webhook) Active() bool { return w.RemovedAt.IsZero() }

const selectWebhook = `SELECT webhook_id, url, jurisdiction, kinds, registered_at, removed_at FROM rm_webhooks`

// Find reads one webhook; ok is false when there is none.
func Find(ctx context.Context, db readdb.DB, id string) (Webhook, bool, error) {
	rows, err := db.SQL.QueryContext(ctx, selectWebhook+` WHERE webhook_id = $1`, id)
	if err != nil {
		return Webhook{}, false, fmt.Errorf("webhook %s: %w", id, err)
	}
	hooks, err := scan(rows)
	if err != nil || len(hooks) == 0 {
		return Webhook{}, false, err
	}
	return hooks[0], true, nil
}

// All lists every webhook, removed ones too, in id order.
func All(ctx context.Context, db readdb.DB) ([]Webhook, error) {
	rows, err := db.SQL.QueryContext(ctx, selectWebhook+` ORDER BY webhook_id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return scan(rows)
}

func scan(rows *sql.Rows) ([]Webhook, error) {
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var (
			w                 Webhook
			place, kinds      string
			registered, ended readdb.Timestamp
		)
		if err := rows.Scan(&w.ID, &w.URL, &place, &kinds, &registered, &ended); err != nil {
			return nil, fmt.Errorf("webhooks: %w", err)
		}
		j, err := domain.ParseJurisdiction(place)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", w.ID, err)
		}
		w.Jurisdiction, w.RegisteredAt, w.RemovedAt = j, registered.T, ended.T
		if err := json.Unmarshal([]byte(kinds), &w.Kinds); err != nil {
			return nil, fmt.Errorf("webhook %s: kinds: %w", w.ID, err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
