// Package webhooks is the read model of the webhooks admins registered
// (POST /v1/webhooks): one row per webhook with where it is POSTed, the
// jurisdiction and notification kinds it is told, and whether it was
// removed. The delivery of notifications to them (package webhook) reads
// it to know whom to tell; it is rebuilt from the log like every read
// model, unlike the delivery's own tables.
package webhooks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/readdb"
)

// Projection keeps rm_webhooks for the engine.
type Projection struct{}

// Name implements engine.Projection.
func (Projection) Name() string { return "webhooks" }

// Tables implements engine.Projection.
func (Projection) Tables() []string { return []string{"rm_webhooks"} }

// Schema implements engine.Projection.
func (Projection) Schema() []string {
	return []string{`CREATE TABLE IF NOT EXISTS rm_webhooks (
	webhook_id    TEXT PRIMARY KEY,
	url           TEXT NOT NULL,
	jurisdiction  TEXT NOT NULL,
	kinds         {{json}} NOT NULL,
	registered_at {{ts}} NOT NULL,
	registered_by TEXT NOT NULL,
	removed_at    {{ts}}
)`}
}

// Apply implements engine.Projection: a registration makes the row (once),
// a removal sets removed_at (once).
func (Projection) Apply(ctx context.Context, tx readdb.Tx, d readdb.Dialect, events []domain.Recorded) error {
	for _, r := range events {
		switch e := r.Event.(type) {
		case domain.WebhookRegistered:
			kinds, err := json.Marshal(e.Kinds)
			if err != nil {
				return fmt.Errorf("save webhook %s: %w", e.WebhookID, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO rm_webhooks (webhook_id, url, jurisdiction, kinds, registered_at, registered_by)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (webhook_id) DO NOTHING`,
				r.StreamID.ID(), e.URL, e.Jurisdiction.String(), string(kinds), d.Time(r.OccurredAt), r.Actor.Subject); err != nil {
				return fmt.Errorf("save webhook %s: %w", r.StreamID.ID(), err)
			}
		case domain.WebhookRemoved:
			if _, err := tx.ExecContext(ctx, `UPDATE rm_webhooks SET removed_at = $1 WHERE webhook_id = $2 AND removed_at IS NULL`,
				d.Time(r.OccurredAt), r.StreamID.ID()); err != nil {
				return fmt.Errorf("save webhook %s: %w", r.StreamID.ID(), err)
			}
		}
	}
	return nil
}
