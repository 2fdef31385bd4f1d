package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// reopenCaseBody is POST /v1/cases/{id}/reopening.
type reopenCaseBody struct {
	Reason string `json:"reason"`
}

func (s *Server) reopenCase(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b reopenCaseBody) (Answer, error) {
		if err := required(hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.ReopenCase(ctx, call, commands.ReopenCase{CaseID: r.PathValue("id"), Reason: b.Reason})
		return answerOf(res), err
	})
}
