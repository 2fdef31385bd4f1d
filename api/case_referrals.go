package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// makeReferralBody is POST /v1/cases/{id}/referrals.
type makeReferralBody struct {
	Agency  domain.Agency  `json:"agency"`
	Service domain.Service `json:"service"`
	Note    string         `json:"note"`
}

func (s *Server) makeReferral(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b makeReferralBody) (Answer, error) {
		if err := required(has("agency", !b.Agency.IsZero()), has("service", !b.Service.IsZero()), hasText("note", b.Note)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.MakeReferral(ctx, call, commands.MakeReferral{
			CaseID: r.PathValue("id"), Agency: b.Agency, Service: b.Service, Note: b.Note,
		})
		return answerOf(res), err
	})
}
