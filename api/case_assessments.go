package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// completeAssessmentBody is POST /v1/cases/{id}/assessments.
type completeAssessmentBody struct {
	OccurredAt             time.Time   `json:"occurred_at"`
	Risk                   domain.Risk `json:"risk"`
	Needs                  []string    `json:"needs"`
	GuardianshipAssessment string      `json:"guardianship_assessment,omitempty"`
}

func (s *Server) completeAssessment(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b completeAssessmentBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("risk", !b.Risk.IsZero()), has("needs", b.Needs != nil)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.CompleteAssessment(ctx, call, commands.CompleteAssessment{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Risk: b.Risk, Needs: b.Needs, GuardianshipAssessment: b.GuardianshipAssessment,
		})
		return answerOf(res), err
	})
}
