package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// startGuardianshipBody is POST /v1/cases/{id}/temporary-guardianship.
type startGuardianshipBody struct {
	OccurredAt time.Time                 `json:"occurred_at"`
	Ground     domain.GuardianshipGround `json:"ground"`
	Placement  domain.Placement          `json:"placement"`
}

// endGuardianshipBody is POST /v1/cases/{id}/temporary-guardianship/end.
type endGuardianshipBody struct {
	OccurredAt time.Time                  `json:"occurred_at"`
	Outcome    domain.GuardianshipOutcome `json:"outcome"`
}

func (s *Server) startTemporaryGuardianship(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b startGuardianshipBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("ground", !b.Ground.IsZero()), has("placement", !b.Placement.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.StartTemporaryGuardianship(ctx, call, commands.StartTemporaryGuardianship{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Ground: b.Ground, Placement: b.Placement,
		})
		return answerOf(res), err
	})
}

func (s *Server) endTemporaryGuardianship(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b endGuardianshipBody) (Answer, error) {
		if err := required(hasTime("occurred_at", b.OccurredAt), has("outcome", !b.Outcome.IsZero())); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.EndTemporaryGuardianship(ctx, call, commands.EndTemporaryGuardianship{
			CaseID: r.PathValue("id"), OccurredAt: b.OccurredAt, Outcome: b.Outcome,
		})
		return answerOf(res), err
	})
}
