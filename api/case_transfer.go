package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// transferCaseBody is POST /v1/cases/{id}/transfer.
type transferCaseBody struct {
	OccurredAt   time.Time           `json:"occurred_at"`
	Jurisdiction domain.Jurisdiction `json:"jurisdiction"`
	Reason       string              `json:"reason"`
}

func (s *Server) transferCase(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b transferCaseBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("jurisdiction", !b.Jurisdiction.IsZero()), hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.TransferCase(ctx, call, commands.TransferCase{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Jurisdiction: b.Jurisdiction, Reason: b.Reason,
		})
		return answerOf(res), err
	})
}
