package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// acknowledgePoliceBody is POST /v1/cases/{id}/police-report/acknowledgment.
type acknowledgePoliceBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Officer    string    `json:"officer,omitempty"`
	Action     string    `json:"action"`
}

func (s *Server) acknowledgePolice(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b acknowledgePoliceBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("action", b.Action)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.AcknowledgePolice(ctx, call, commands.AcknowledgePolice{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Officer: b.Officer, Action: b.Action,
		})
		return answerOf(res), err
	})
}
