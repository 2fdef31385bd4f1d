package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// interventionBody is POST /v1/cases/{id}/guardianship-intervention.
type interventionBody struct {
	OccurredAt time.Time `json:"occurred_at"`
	Measure    string    `json:"measure"`
	Note       string    `json:"note,omitempty"`
}

func (s *Server) recordIntervention(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b interventionBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("measure", b.Measure)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RecordIntervention(ctx, call, commands.RecordIntervention{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Measure: b.Measure, Note: b.Note,
		})
		return answerOf(res), err
	})
}
