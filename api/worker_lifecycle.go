package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// deactivateWorkerBody is POST /v1/workers/{id}/deactivation.
type deactivateWorkerBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Reason     string    `json:"reason"`
}

func (s *Server) deactivateWorker(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b deactivateWorkerBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.DeactivateWorker(ctx, call, commands.DeactivateWorker{
			WorkerID: r.PathValue("id"), OccurredAt: b.OccurredAt, Reason: b.Reason,
		})
		s.workers.forget(r.PathValue("id"))
		return answerOf(res), err
	})
}

// transferWorkerBody is POST /v1/workers/{id}/transfer.
type transferWorkerBody struct {
	OccurredAt   time.Time           `json:"occurred_at"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
}

func (s *Server) transferWorker(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b transferWorkerBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("jurisdiction", !b.Jurisdiction.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.TransferWorker(ctx, call, commands.TransferWorker{
			WorkerID: r.PathValue("id"), OccurredAt: b.OccurredAt, Jurisdiction: b.Jurisdiction,
		})
		s.workers.forget(r.PathValue("id"))
		return answerOf(res), err
	})
}
