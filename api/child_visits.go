package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// recordVisitBody is POST /v1/children/{id}/visits.
type recordVisitBody struct {
	OccurredAt time.Time        `json:"occurred_at"`
	Findings   string           `json:"findings"`
	Concerns   []domain.Concern `json:"concerns"`
}

func (s *Server) recordVisit(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b recordVisitBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), hasText("findings", b.Findings), has("concerns", b.Concerns != nil)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RecordVisit(ctx, call, commands.RecordVisit{
			ChildID: r.PathValue("id"), OccurredAt: b.OccurredAt, Findings: b.Findings, Concerns: b.Concerns,
		})
		return answerOf(res), err
	})
}
