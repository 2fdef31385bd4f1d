package api

import (
	"context"
	"net/http"
	"time"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// referralOutcomeBody is POST /v1/cases/{id}/referrals/{rid}/acceptance and
// /completion; occurred_at defaults to now.
type referralOutcomeBody struct {
	OccurredAt time.Time `json:"occurred_at,omitzero"`
	Note       string    `json:"note,omitempty"`
}

// declineReferralBody is POST /v1/cases/{id}/referrals/{rid}/decline.
type declineReferralBody struct {
	Reason string `json:"reason"`
}

func (s *Server) acceptReferral(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b referralOutcomeBody) (Answer, error) {
		res, err := s.handlers.AcceptReferral(ctx, call, commands.AcceptReferral{
			CaseID: r.PathValue("id"), ReferralID: r.PathValue("rid"), OccurredAt: b.OccurredAt, Note: b.Note,
		})
		return answerOf(res), err
	})
}

func (s *Server) declineReferral(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b declineReferralBody) (Answer, error) {
		if err := required(hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.DeclineReferral(ctx, call, commands.DeclineReferral{
			CaseID: r.PathValue("id"), ReferralID: r.PathValue("rid"), Reason: b.Reason,
		})
		return answerOf(res), err
	})
}

func (s *Server) completeReferral(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b referralOutcomeBody) (Answer, error) {
		res, err := s.handlers.CompleteReferral(ctx, call, commands.CompleteReferral{
			CaseID: r.PathValue("id"), ReferralID: r.PathValue("rid"), OccurredAt: b.OccurredAt, Note: b.Note,
		})
		return answerOf(res), err
	})
}
