package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/projections/webhooks"
	"github.com/careledger/careledger/webhook"
)

// registerWebhookBody is POST /v1/webhooks.
type registerWebhookBody struct {
	URL          string              `json:"url"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Kinds        []string            `json:"kinds"`
}

// registerWebhook is POST /v1/webhooks: the answer carries the signing
// secret, derived from the server's key and the webhook's id (never
// stored), so this is the one answer that tells it; a retry with the same
// Idempotency-Key tells it again.
func (s *Server) registerWebhook(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b registerWebhookBody) (Answer, error) {
		if err := required(hasText("url", b.URL), has("jurisdiction", !b.Jurisdiction.IsZero()), has("kinds", len(b.Kinds) > 0)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RegisterWebhook(ctx, call, commands.RegisterWebhook{URL: b.URL, Jurisdiction: b.Jurisdiction, Kinds: b.Kinds})
		if err != nil {
			return Answer{}, err
		}
		a := answerOf(res)
		a.Secret = s.tokens.WebhookSecret(res.ID)
		return a, nil
	})
}

// removeWebhook is POST /v1/webhooks/{id}/removal.
func (s *Server) removeWebhook(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, _ struct{}) (Answer, error) {
		res, err := s.handlers.RemoveWebhook(ctx, call, commands.RemoveWebhook{WebhookID: r.PathValue("id")})
		return answerOf(res), err
	})
}

// WebhookDelivery is one message to a webhook and how its delivery went.
type WebhookDelivery = webhook.Delivery

// deliveriesCursor is where the next page of deliveries starts.
type deliveriesCursor struct {
	Before int64 `json:"b"`
}

// webhookDeliveries is GET /v1/webhooks/{id}/deliveries: the webhook's
// deliveries, the latest first, paginated. A webhook outside the caller's
// jurisdiction is not found.
func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	if err := s.awaitMinPosition(r); err != nil {
		return err
	}
	var cur deliveriesCursor
	limit, err := pageParams(r, &cur)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	hook, ok, err := webhooks.Find(r.Context(), s.db, id)
	if err != nil {
		return err
	}
	if !ok || !p.Reaches(hook.Jurisdiction) {
		return domain.NotFound("webhook", id)
	}
	items, err := webhook.Deliveries(r.Context(), s.state, id, cur.Before, limit+1)
	if err != nil {
		return err
	}
	out := List[WebhookDelivery]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = nextCursor(deliveriesCursor{Before: items[limit-1].Seq})
	}
	s.writeAnswer(r.Context(), w, http.StatusOK, out)
	return nil
}
