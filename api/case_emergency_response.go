package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// emergencyResponseBody is POST /v1/cases/{id}/emergency-response.
type emergencyResponseBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Action     string    `json:"action"`
	Note       string    `json:"note,omitempty"`
}

func (s *Server) recordEmergencyResponse(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b emergencyResponseBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("action", b.Action)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RecordEmergencyResponse(ctx, call, commands.RecordEmergencyResponse{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Action: b.Action, Note: b.Note,
		})
		return answerOf(res), err
	})
}
