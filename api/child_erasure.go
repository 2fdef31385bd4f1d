package api

import (
	"context"
	"net/http"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// eraseChildBody is POST /v1/children/{id}/erasure.
type eraseChildBody struct {
	Reason string `json:"reason"`
}

func (s *Server) eraseChild(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusOK, func(ctx context.Context, call commands.Call, b eraseChildBody) (Answer, error) {
		if err := required(hasText("reason", b.Reason)); err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.EraseChild(ctx, call, commands.EraseChild{ChildID: r.PathValue("id"), Reason: b.Reason})
		return answerOf(res), err
	})
}
