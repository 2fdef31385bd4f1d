package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// RemoveWebhook ends a webhook's deliveries (POST /v1/webhooks/{id}/removal).
type RemoveWebhook struct {
	WebhookID string
}

// RemoveWebhook carries out the command. A webhook outside the caller's
// jurisdiction is not found.
func (h *Handlers) RemoveWebhook(ctx context.Context, call Call, cmd RemoveWebhook) (Result, error) {
	admit := func(_ context.Context, history []domain.Recorded) error {
		if w := domain.LoadWebhook(history); !w.Registered() || !call.Principal.Reaches(w.Jurisdiction()) {
			return domain.NotFound("webhook", cmd.WebhookID)
		}
		return nil
	}
	res, err := h.execute(ctx, call, domain.WebhookStream(cmd.WebhookID), admit, func(ctx context.Context, history []domain.Recorded) ([]domain.Change, error) {
		w := domain.LoadWebhook(history)
		if err := w.Remove(call.Principal, h.now()); err != nil {
			return nil, err
		}
		return w.Changes(), nil
	})
	res.ID = cmd.WebhookID
	return res, err
}
