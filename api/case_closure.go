package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// closeCaseBody is POST /v1/cases/{id}/closure.
type closeCaseBody struct {
	OccurredAt time.Time            `json:"occurred_at"`
	Reason     domain.ClosureReason `json:"reason"`
}

func (s *Server) closeCase(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b closeCaseBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("reason", !b.Reason.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CloseCase(ctx, call, commands.CloseCase{CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Reason: b.Reason})
		return answerOf(res), err
	})
}
