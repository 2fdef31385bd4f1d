package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// holdConferenceBody is POST /v1/cases/{id}/conferences.
type holdConferenceBody struct {
	OccurredAt time.Time       `json:"occurred_at"`
	Agencies   []domain.Agency `json:"agencies"`
	Decisions  string          `json:"decisions"`
}

func (s *Server) holdConference(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b holdConferenceBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("agencies", len(b.Agencies) > 0), hasText("decisions", b.Decisions)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.HoldConference(ctx, call, commands.HoldConference{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Agencies: b.Agencies, Decisions: b.Decisions,
		})
		return answerOf(res), err
	})
}
