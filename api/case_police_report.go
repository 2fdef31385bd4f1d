package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// forwardToPoliceBody is POST /v1/cases/{id}/police-report.
type forwardToPoliceBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	PoliceUnit string    `json:"police_unit"`
	Reference  string    `json:"reference,omitempty"`
}

func (s *Server) forwardToPolice(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b forwardToPoliceBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("police_unit", b.PoliceUnit)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.ForwardToPolice(ctx, call, commands.ForwardToPolice{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, PoliceUnit: b.PoliceUnit, Reference: b.Reference,
		})
		return answerOf(res), err
	})
}
