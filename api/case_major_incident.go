package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// majorIncidentBody is POST /v1/cases/{id}/major-incident.
type majorIncidentBody struct {
	OccurredAt  time.Time `json:"occurred_at"`
	Description string    `json:"description"`
}

func (s *Server) declareMajorIncident(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b majorIncidentBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("description", b.Description)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.DeclareMajorIncident(ctx, call, commands.DeclareMajorIncident{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Description: b.Description,
		})
		return answerOf(res), err
	})
}
