package commands

import (
	"context"

	"github.com/careledger/careledger/domain"
)

// RegisterWebhook registers another system to be told the notifications of
// every obligation within a jurisdiction (POST /v1/webhooks).
type RegisterWebhook struct {
	URL          string
	Jurisdiction domain.Jurisdiction
	Kinds        []string
}

// RegisterWebhook carries out the command; the result's ID is the
// webhook's.
func (h *Handlers) RegisterWebhook(ctx context.Context, call Call, cmd RegisterWebhook) (Result, error) {
	id := derivedID(call, "webhook")
	res, err := h.create(ctx, call, domain.WebhookStream(id), derivedTaken(domain.WebhookStream(id)), func(ctx context.Context) ([]domain.Change, error) {
		if err := h.places.Check(ctx, "jurisdiction", cmd.Jurisdiction); err != nil {
			return nil, err
		}
		w, err := domain.RegisterWebhook(call.Principal, h.now(), domain.WebhookRegistered{
			WebhookID: id, URL: cmd.URL, Jurisdiction: cmd.Jurisdiction, Kinds: cmd.Kinds,
		})
		if err != nil {
			return nil, err
		}
		return w.Changes(), nil
	})
	res.ID = id
	return res, err
}
